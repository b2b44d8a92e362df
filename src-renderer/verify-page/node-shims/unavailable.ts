// Stand-in for Node modules that core files import but the verify page never reaches
// (files, paths, processes, workers). Calling any of them on the page is a bug, so
// each throws with its name instead of failing somewhere later.
const unavailable = (what: string) => () => {
  throw new Error(`${what} is not available on the verify page`);
};
export const readFileSync = unavailable('readFileSync');
export const writeFileSync = unavailable('writeFileSync');
export const existsSync = unavailable('existsSync');
export const statSync = unavailable('statSync');
export const mkdirSync = unavailable('mkdirSync');
export const chmodSync = unavailable('chmodSync');
export const renameSync = unavailable('renameSync');
export const readdirSync = unavailable('readdirSync');
export const rmSync = unavailable('rmSync');
export const openSync = unavailable('openSync');
export const closeSync = unavailable('closeSync');
export const fsyncSync = unavailable('fsyncSync');
export const writeSync = unavailable('writeSync');
export const unlinkSync = unavailable('unlinkSync');
export const mkdtempSync = unavailable('mkdtempSync');
export const createWriteStream = unavailable('createWriteStream');
export const createReadStream = unavailable('createReadStream');
export const join = unavailable('path.join');
export const basename = unavailable('path.basename');
export const dirname = unavailable('path.dirname');
export const resolve = unavailable('path.resolve');
export const tmpdir = unavailable('os.tmpdir');
export const homedir = unavailable('os.homedir');
export const once = unavailable('events.once');
export const fileURLToPath = unavailable('fileURLToPath');
export class StringDecoder {
  constructor() {
    throw new Error('StringDecoder is not available on the verify page');
  }
}
export default {};
