/** UTF-16 code units that carry meaning in topics (spec section 4.7). */
export const SLASH = 0x2f;
export const PLUS = 0x2b;
export const HASH = 0x23;
export const DOLLAR = 0x24;
export const NUL = 0x00;
