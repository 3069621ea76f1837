// End-to-end tests run against the built app, served by the real relay.
import { ensureBuild } from '../../scripts/ensure-build.js';

export default function globalSetup() {
	ensureBuild();
}
