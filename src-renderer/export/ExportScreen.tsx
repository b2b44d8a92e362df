import { Empty } from '../app/states.js';

export function ExportScreen() {
  return (
    <div className="screen-pad">
      <h2>Export</h2>
      <Empty title="Export is not available in this build yet.">The export API is not part of the contract yet.</Empty>
    </div>
  );
}
