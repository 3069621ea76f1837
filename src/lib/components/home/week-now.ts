/** localStorage key: my week's "now / next" line showed on the home page last time. */
export const WEEK_NOW_KEY = 'moim-week-now';
