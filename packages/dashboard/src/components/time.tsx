/** An instant shown in the viewer's zone; the exact UTC form is in the title (hover). */
import { formatLocal } from "@/lib/format";

export function Time({ value }: { value: string | null | undefined }) {
  if (value === null || value === undefined) return <span>—</span>;
  return (
    <time dateTime={value} title={`UTC ${value}`}>
      {formatLocal(value)}
    </time>
  );
}
