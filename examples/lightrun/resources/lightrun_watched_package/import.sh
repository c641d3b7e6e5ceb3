terraform import lightrun_watched_package.slf4j 7d1b9f0c-3a0e-4a83-8c2d-5f0e6b7a9c12
