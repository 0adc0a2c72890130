/** Property lists (spec 2.2.2): decoding in `property-reader`, encoding in `property-writer`. */
export { readProperties } from './property-reader';
export { propertiesLength, stringLength, writeProperties } from './property-writer';
