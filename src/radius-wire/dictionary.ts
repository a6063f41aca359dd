// The `radius` package's dictionaries are global and load once, on first use: the vendor
// dictionaries in config/dictionaries must be registered before that.
import { fileURLToPath } from 'node:url';
import radius from 'radius';

// `mektep` (Mektep's additions) after the vendors it extends.
const VENDOR_DICTIONARIES = ['microsoft', 'mikrotik', 'chillispot', 'wispr', 'aruba', 'cisco', 'airespace', 'fortinet', 'mektep'];
let loaded = false;

export function loadDictionaries(): typeof radius {
  if (!loaded) {
    for (const vendor of VENDOR_DICTIONARIES) {
      radius.add_dictionary(fileURLToPath(new URL(`../../config/dictionaries/dictionary.${vendor}`, import.meta.url)));
    }
    radius.load_dictionaries();
    loaded = true;
  }
  return radius;
}
