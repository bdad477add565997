// What every view gets (the AppContext). The typedefs live in types.d.ts; this module re-exports them
// for JSDoc imports (`import('./context.js').AppContext`) and holds nothing at run time.

/**
 * @typedef {import('./types').Me} Me
 * @typedef {import('./types').Org} Org
 * @typedef {import('./types').AppContext} AppContext
 * @typedef {import('./types').Realtime} Realtime
 * @typedef {import('./types').Frame} Frame
 */

export {};
