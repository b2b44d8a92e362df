import { Empty } from '../app/states.js';

export function IntegrityScreen() {
  return (
    <div className="screen-pad">
      <h2>Integrity</h2>
      <Empty title="Verification is not available in this build yet.">The integrity API is not part of the contract yet.</Empty>
    </div>
  );
}
