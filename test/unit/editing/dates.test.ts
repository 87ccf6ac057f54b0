import { describe, expect, it } from 'vitest';
import { normalizeDate } from '../../../src/cases/editing/dates';

describe('normalizeDate', () => {
  it.each([
    ['2023/01/15', '2023-01-15'],
    ['2023-1-5', '2023-01-05'],
    ['2023.01.15', '2023-01-15'],
    ['20230115', '2023-01-15'],
    ['2023-01-15T10:30:00Z', '2023-01-15'],
    ['2023-01-15 10:30', '2023-01-15'],
    ['15 Jan 2023', '2023-01-15'],
    ['15 January 2023', '2023-01-15'],
    ['15-Jan-2023', '2023-01-15'],
    ['15th of January, 2023', '2023-01-15'],
    ['January 15, 2023', '2023-01-15'],
    ['Jan. 15 2023', '2023-01-15'],
    ['Sept 3rd, 2023', '2023-09-03'],
    ['2023 Mar 7', '2023-03-07'],
    ['  15   jan   2023 ', '2023-01-15'],
    ['25/12/2023', '2023-12-25'], // day first: 25 cannot be a month
    ['12/25/2023', '2023-12-25'], // month first: 25 cannot be a month
    ['05/05/2023', '2023-05-05'], // both readings are the same day
    ['29 Feb 2024', '2024-02-29'],
    ['2023-01-15', '2023-01-15'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeDate(input)).toBe(expected);
  });

  it.each([
    ['01/02/2023', 'day/month or month/day'],
    ['3.4.2023', 'day/month or month/day'],
    ['15/01/23', 'two-digit year'],
    ['Jan 2023', 'no day'],
    ['2023', 'a year only'],
    ['29 Feb 2023', 'not a leap year'],
    ['2023-02-30', 'not a real date'],
    ['2023-13-01', 'no month 13'],
    ['Smarch 15, 2023', 'no such month'],
    ['yesterday', 'not a date'],
    ['', 'empty'],
    ['2023-01-15T99', 'broken time part'],
  ])('%s gives no rewrite (%s)', (input) => {
    expect(normalizeDate(input)).toBeUndefined();
  });
});
