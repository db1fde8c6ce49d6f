/** The dashboard's config schema lives with the rest of the config (plain data, no UI): root key `tui`. */
export { tuiConfigSchema, type TuiConfig, type TuiConfigInput } from '../engine/config/tui.js';
