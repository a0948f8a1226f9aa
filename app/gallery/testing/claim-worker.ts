/**
 * Test helper run as a child process by job-store.test.ts: waits for a shared start time, then
 * opens the library, claims and completes jobs until the queue is empty, and prints the ids it
 * claimed as JSON.
 * Usage: node --import tsx app/gallery/testing/claim-worker.ts <library dir> <start ms>
 */
import { openGallery } from '../gallery.ts';

const [dir, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // Spin: both workers must open and claim in the same millisecond to race for real.
}
const gallery = openGallery(dir!);
const claimed: string[] = [];
for (
  let job = gallery.jobs.claimNext(process.pid);
  job !== null;
  job = gallery.jobs.claimNext(process.pid)
) {
  claimed.push(job.id);
  gallery.jobs.complete(job.id, { by: process.pid });
}
gallery.close();
process.stdout.write(JSON.stringify(claimed));
