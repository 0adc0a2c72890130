import { describePaletteInstall } from './palette-suite';

// Node-RED 4.1 (`node_modules/node-red`) under the machine's Node 20.
describePaletteInstall('node-red-4', /Node\.js\s+version: v20\./, /^4\.1\./);
