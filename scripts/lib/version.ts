/** Recorded in every manifest; a change of artifact format bumps the major version. */
export const PIPELINE_VERSION = "2.1.0";
/** The format tag of manifest.json (part of its schema). */
export { MANIFEST_FORMAT } from "../../protocol/artifacts.js";
