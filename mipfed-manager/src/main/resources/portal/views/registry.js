// The result views by algorithm. A view module (views/<algorithm>.js) calls registerView at its top and results.js
// imports it with one line; a result whose algorithm has no view is drawn by its shape.
export const views = new Map();

/**
 * @param algorithm the algorithm's name, e.g. "cox_regression"
 * @param render (result, context) => [elements]; context has out (table sink), request, names (naming from
 *     resultkit.js), variables, algorithm
 */
export function registerView(algorithm, render) {
  views.set(algorithm, render);
}
