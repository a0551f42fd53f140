// halley.js as an ES module: import Halley, { connect } from '/halley/halley.mjs'.
// halley.js itself is a classic script that defines globalThis.Halley; importing it
// here runs it once, as a module, and re-exports what it defined.
import './halley.js';

const Halley = globalThis.Halley;

export const connect = Halley.connect;
export const version = Halley.version;
export default Halley;
