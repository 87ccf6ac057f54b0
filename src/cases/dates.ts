// Calendar dates of contract 1: `YYYY-MM-DD` (the zod pattern) that also exists in the proleptic
// Gregorian calendar. Hand-written digit checks because this runs once per case on the hot path.

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function digit(s: string, k: number): number {
  const c = s.charCodeAt(k) - 0x30;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Same as the zod pattern /^\d{4}-\d{2}-\d{2}$/. */
export function isDateShaped(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d) return false;
  return (
    digit(s, 0) >= 0 &&
    digit(s, 1) >= 0 &&
    digit(s, 2) >= 0 &&
    digit(s, 3) >= 0 &&
    digit(s, 5) >= 0 &&
    digit(s, 6) >= 0 &&
    digit(s, 8) >= 0 &&
    digit(s, 9) >= 0
  );
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Why a date-shaped string is not a real date, or undefined when it is one. */
export function calendarProblem(s: string): string | undefined {
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  if (month < 1 || month > 12) return `month ${s.slice(5, 7)} does not exist (use 01–12)`;
  const max = daysInMonth(year, month);
  if (day < 1 || day > max) return `${MONTHS[month - 1]} ${year} has ${max} days (got day ${s.slice(8, 10)})`;
  return undefined;
}

/** A real calendar date as YYYY-MM-DD. */
export function isRealDate(s: string): boolean {
  return s.length === 10 && isRealDateAt(s, 0);
}

/** Whether the 10 characters of `s` from `at` are a real calendar date as YYYY-MM-DD (no slice). */
export function isRealDateAt(s: string, at: number): boolean {
  if (s.charCodeAt(at + 4) !== 0x2d || s.charCodeAt(at + 7) !== 0x2d) return false;
  const year = number(s, at, 4);
  const month = number(s, at + 5, 2);
  const day = number(s, at + 8, 2);
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The decimal number in `s[at, at + width)`, or -1 when a character there is not a digit. */
function number(s: string, at: number, width: number): number {
  let v = 0;
  for (let k = at; k < at + width; k++) {
    const c = digit(s, k);
    if (c < 0) return -1;
    v = v * 10 + c;
  }
  return v;
}
