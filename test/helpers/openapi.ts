/** Reading the published OpenAPI document in tests. */

type Node = Record<string, any>;

/** The node a local `$ref` (`#/components/...`) points at, or the node itself. */
export function resolveRef(doc: Node, node: Node): Node {
  let current = node;
  for (let hops = 0; typeof current?.$ref === 'string'; hops += 1) {
    if (hops > 10) throw new Error(`$ref loop at ${String(current.$ref)}`);
    const ref: string = current.$ref;
    if (!ref.startsWith('#/')) throw new Error(`not a local $ref: ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .reduce<Node>((at, part) => at?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
    if (current === undefined) throw new Error(`$ref to nothing: ${ref}`);
  }
  return current;
}
