/**
 * The HTTP-date of the Date header (RFC 9110 §5.6.7): the preferred IMF-fixdate
 * ("Sun, 06 Nov 1994 08:49:37 GMT") and the two obsolete forms a recipient must accept,
 * RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994").
 * Whole seconds, UTC. Pure.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7
 */
import { HttpDateInvalidError } from "../errors.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

const IMF_FIXDATE = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE = /^([A-Z][a-z]+), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function toSeconds(
  value: string,
  y: number,
  mon: string,
  d: number,
  h: number,
  mi: number,
  s: number,
): number {
  const month = MONTHS.indexOf(mon) + 1;
  const daysInMonth =
    month === 0 ? 0 : month === 12 ? 31 : daysFromCivil(y, month + 1, 1) - daysFromCivil(y, month, 1);
  // Seconds up to 60 are allowed for a leap second (RFC 9110 §5.6.7); 60 reads as the next second.
  if (month === 0 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 60)
    throw new HttpDateInvalidError(value, `HTTP-date out of range: ${JSON.stringify(value)}`);
  return daysFromCivil(y, month, d) * 86_400 + h * 3600 + mi * 60 + s;
}

/**
 * Seconds since the Unix epoch of an HTTP-date. A two-digit RFC 850 year more than 50
 * years ahead of `nowYear` is taken as the previous century (RFC 9110 §5.6.7). Throws
 * HttpDateInvalidError.
 */
export function parseHttpDate(value: string, nowYear = 2000): number {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m !== null && DAYS.includes(m[1]!))
    return toSeconds(value, Number(m[4]), m[3]!, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  m = RFC850_DATE.exec(text);
  if (m !== null && LONG_DAYS.includes(m[1]!)) {
    const yy = Number(m[4]);
    let year = Math.floor(nowYear / 100) * 100 + yy;
    if (year > nowYear + 50) year -= 100;
    return toSeconds(value, year, m[3]!, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  }
  m = ASCTIME_DATE.exec(text);
  if (m !== null && DAYS.includes(m[1]!))
    return toSeconds(
      value,
      Number(m[7]),
      m[2]!,
      Number(m[3]!.trim()),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    );
  throw new HttpDateInvalidError(value, `not an HTTP-date: ${JSON.stringify(value.slice(0, 64))}`);
}

/** The IMF-fixdate of whole seconds since the Unix epoch (for servers and tests). */
export function formatHttpDate(seconds: number): string {
  const date = new Date(seconds * 1000);
  const day = DAYS[(date.getUTCDay() + 6) % 7]!;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${day}, ${p(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} GMT`;
}
