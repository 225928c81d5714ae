/**
 * The Node.js major version the custom-resource handler runs on in Lambda (`nodejs<major>.x`).
 *
 * The one place that names it: the construct's Lambda runtime, the esbuild target of the handler
 * bundle (scripts/bundle-handler.mjs) and the Node.js the handler's tests run on
 * (scripts/with-node.mjs, from tools/node-versions/) all read it, so they move together. The
 * scripts read this line of the source (scripts/node-versions.mjs): keep it a number literal.
 *
 * @internal
 */
export const HANDLER_NODE_MAJOR = 24;
