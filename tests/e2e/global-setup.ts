// End-to-end tests run against the built app, served by the real relay.
// The update test also needs a second build with another version name.
import { ensureBuild } from '../../scripts/ensure-build.js';

/** Where the second build goes, and its version name. */
export const UPDATE_BUILD = { outDir: '.test-output/build-b', buildId: 'update-test-b' };

export default function globalSetup() {
	ensureBuild();
	ensureBuild(UPDATE_BUILD);
}
