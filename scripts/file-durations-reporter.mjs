// A node --test reporter that prints the slowest test files with their wall times, so a
// slowdown in `npm test` shows where it is. Node reports each file as a test named by its path.
const SHOWN = 15;

export default async function* fileDurations(source) {
  const files = new Map();
  for await (const event of source) {
    const { type, data } = event;
    if (type === 'test:complete' && data.file !== undefined && data.name === data.file)
      files.set(data.file, data.details.duration_ms / 1000);
  }
  const slowest = [...files].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  yield `\nslowest test files (wall seconds, ${files.size} files):\n`;
  for (const [file, seconds] of slowest)
    yield `${seconds.toFixed(1).padStart(7)}  ${file.replace(`${process.cwd()}/`, '')}\n`;
}
