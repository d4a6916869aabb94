// Form helpers (error summary focus, character counters). Loaded on every page, deferred.
