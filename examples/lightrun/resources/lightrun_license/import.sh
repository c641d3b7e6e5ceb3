terraform import lightrun_license.this license
