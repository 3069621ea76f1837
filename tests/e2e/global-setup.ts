// End-to-end tests run against the built app, served by the real relay.
// @ts-expect-error plain JS helper shared with `npm start`
import { ensureBuild } from '../../scripts/ensure-build.js';

export default function globalSetup() {
	ensureBuild();
}
