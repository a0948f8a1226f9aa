/**
 * Caption a folder: the folder path, recursive, XMP sidecars, retry failed; progress with ETA,
 * the per-file results (read back from the library for any job shown, then as they arrive),
 * pause and resume through the queue, and the model's notices (the tiny models caption
 * emoji-like images only) (docs/studio.md §Folder captioning).
 */
import { Empty } from '../../components/ui.tsx';
import { CaptionForm } from './CaptionForm.tsx';
import { CaptionJobHead } from './CaptionJobHead.tsx';
import { FileResults } from './FileResults.tsx';
import { useCaption } from './useCaption.ts';

export function CaptionScreen() {
  const c = useCaption();
  return (
    <div className="screen caption-screen">
      <CaptionForm
        form={c.form}
        captioners={c.captioners}
        model={c.model}
        blocked={c.blocked}
        submitting={c.submitting}
        onStart={() => void c.start()}
      />
      <section className="stage caption-stage" aria-label="Captioning progress">
        {c.job === undefined ? (
          <Empty title="No captioning yet">
            Pick a folder and start: each file's result shows here.
          </Empty>
        ) : (
          <>
            <CaptionJobHead job={c.job} jobs={c.captionJobs} live={c.jobLive} />
            <FileResults job={c.job} live={c.jobLive} filter={c.filter} onFilter={c.setFilter} />
          </>
        )}
      </section>
    </div>
  );
}
