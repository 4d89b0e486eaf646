/** Recorded in every manifest; a change of artifact format bumps the major version. */
export const PIPELINE_VERSION = "2.0.0";
/** The format tag of manifest.json. */
export const MANIFEST_FORMAT = "social-mining-epoch-v2";
