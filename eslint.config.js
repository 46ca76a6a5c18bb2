// Lint: ESLint's and typescript-eslint's recommended rules. (Biome was dropped: its per-platform
// binaries are not all on this project's registry, which left package-lock.json unusable by npm ci.)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'coverage/', '.build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      // `import { z }` takes all of zod into every Lambda bundle (~444 KB); the namespace form
      // lets esbuild keep only what a function uses (~95 KB). docs/benchmarks.md
      'no-restricted-syntax': ['error', { selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']", message: "Use `import * as z from 'zod'`: the named import defeats tree-shaking of every Lambda bundle." }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
