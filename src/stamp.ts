/** A UTC time as a file-name part, e.g. 20261124-181502 (sorts by time). */
export function fileStamp(d: Date = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
