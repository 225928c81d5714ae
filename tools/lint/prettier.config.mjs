// Prettier, the formatter of `npm run format` (checked by `npm run lint`): as close to the style the code was
// written in as Prettier allows: single quotes, lines up to 120 characters, trailing commas.
export default {
  singleQuote: true,
  printWidth: 120,
  trailingComma: 'all',
};
