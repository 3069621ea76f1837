// Lint: the recommended rules for TypeScript and Svelte, Prettier for layout,
// and the project's layers as import rules (docs/ARCHITECTURE.md, "Layers").
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

/** A `no-restricted-imports` rule from patterns with one reason each. */
const layer = (...patterns) => ['error', { patterns }];

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'relay-build/',
			'src/lib/paraglide/',
			'static/',
			'data/',
			'.test-output/',
			'test-results/',
			'node_modules/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			// Links are plain hrefs: the app has no base path to resolve against.
			'svelte/no-navigation-without-resolve': 'off'
		}
	},
	// Benchmarks and tests reach into the page's window from Playwright, untyped by nature.
	{
		files: ['bench/**', 'tests/**'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig } }
	},
	// State adapters hand views snapshots (a new Map per change, never mutated)
	// and keep their signals in SvelteMap/$state; the rule cannot tell the two apart.
	{
		files: ['src/lib/state/**'],
		rules: { 'svelte/prefer-svelte-reactivity': 'off' }
	},
	// The domain is plain TypeScript: no views, no network, no platform.
	{
		files: ['src/lib/model/**'],
		ignores: ['src/lib/model/**/*.test.ts'],
		rules: {
			'no-restricted-imports': layer({
				regex: '^(?!(yjs|lib0(/.*)?|@internationalized/date|\\./.*)$)',
				message: 'src/lib/model imports only yjs, lib0, @internationalized/date and itself.'
			})
		}
	},
	// Its tests may add the test runner and property testing, nothing more.
	{
		files: ['src/lib/model/**/*.test.ts'],
		rules: {
			'no-restricted-imports': layer({
				regex: '^(?!(yjs|lib0(/.*)?|@internationalized/date|vitest|fast-check|\\./.*)$)',
				message: 'src/lib/model tests import only the model, its libraries, vitest and fast-check.'
			})
		}
	},
	// Sync wiring knows nothing of Svelte or the rune adapters built on it.
	{
		files: ['src/lib/sync/**'],
		rules: {
			'no-restricted-imports': layer({
				regex: '^(svelte(/.*)?|\\$lib/state(/.*)?|(\\.\\./)+state(/.*)?)$',
				message: 'src/lib/sync never imports svelte or src/lib/state.'
			})
		}
	},
	// The relay shares the model with the app, and nothing else of it.
	{
		files: ['sync-server/**'],
		rules: {
			'no-restricted-imports': layer({
				regex: '^(\\.\\./)+src/(?!lib/model/)',
				message: 'sync-server imports from src only src/lib/model.'
			})
		}
	}
);
