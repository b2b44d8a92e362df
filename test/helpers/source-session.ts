// A read-only source session for the length of one piece of work, closed however it ends.
import { connectSource, type SourceSession } from '../../src-main/core/source/index.js';

export async function withSourceSession<T>(url: string, work: (s: SourceSession) => Promise<T>): Promise<T> {
  const session = await connectSource(url);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
