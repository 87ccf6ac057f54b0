// Rewrites a human-written date as the contract's YYYY-MM-DD, but only when the reading is
// unambiguous: a quick fix that silently swaps day and month would corrupt the dataset, so
// "01/02/2023" or a two-digit year gives no answer and the user fixes it by hand.

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};

function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  // Date.UTC handles leap years; years 0..99 are mapped to 1900+ by Date.UTC, so set the year explicitly.
  const d = new Date(Date.UTC(2000, month - 1, day));
  d.setUTCFullYear(year);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function format(year: number, month: number, day: number): string | undefined {
  if (!isRealDate(year, month, day)) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function monthNumber(name: string): number | undefined {
  return MONTHS[name.toLowerCase().replace(/\.$/, '')];
}

/**
 * The YYYY-MM-DD form of `input` when it names exactly one real calendar date, else undefined.
 * Accepts year-first numeric dates (2023-1-5, 2023/01/15, 2023.01.15, 20230115), ISO date-times
 * (2023-01-15T10:00:00Z: the date part as written), month names ("15 Jan 2023", "January 15, 2023",
 * "15th of January 2023"), and day/month/year numerics only where one reading is impossible
 * (25/12/2023) or both readings give the same day (05/05/2023).
 */
export function normalizeDate(input: string): string | undefined {
  const s = input.trim().replace(/\s+/g, ' ');
  if (s.length === 0 || s.length > 64) return undefined;
  let m: RegExpExecArray | null;

  // Year first: 2023-01-15, 2023/1/5, 2023.01.15, optionally followed by an ISO time part.
  if (
    (m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
      s,
    ))
  ) {
    return format(Number(m[1]), Number(m[3]), Number(m[4]));
  }
  // Compact 20230115.
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) return format(Number(m[1]), Number(m[2]), Number(m[3]));

  // Day month-name year: "15 Jan 2023", "15-Jan-2023", "15th of January, 2023".
  if ((m = /^(\d{1,2})(?:st|nd|rd|th)?(?: of)?[ \-/]([A-Za-z]+\.?)[ \-/,]+(\d{4})$/i.exec(s))) {
    const month = monthNumber(m[2] ?? '');
    return month === undefined ? undefined : format(Number(m[3]), month, Number(m[1]));
  }
  // Month-name day year: "January 15, 2023", "Jan. 15 2023", "Jan 15th, 2023".
  if ((m = /^([A-Za-z]+\.?)[ \-/](\d{1,2})(?:st|nd|rd|th)?,?[ \-/]?(\d{4})$/i.exec(s))) {
    const month = monthNumber(m[1] ?? '');
    return month === undefined ? undefined : format(Number(m[3]), month, Number(m[2]));
  }
  // Year month-name day: "2023 Jan 15", "2023-Jan-15".
  if ((m = /^(\d{4})[ \-/]([A-Za-z]+\.?)[ \-/](\d{1,2})$/i.exec(s))) {
    const month = monthNumber(m[2] ?? '');
    return month === undefined ? undefined : format(Number(m[1]), month, Number(m[3]));
  }
  // Numeric with the year last: day-first or month-first. Only unambiguous readings pass.
  if ((m = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/.exec(s))) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const year = Number(m[4]);
    const dayFirst = format(year, b, a);
    const monthFirst = format(year, a, b);
    if (dayFirst !== undefined && monthFirst !== undefined) return dayFirst === monthFirst ? dayFirst : undefined;
    return dayFirst ?? monthFirst;
  }
  return undefined;
}
