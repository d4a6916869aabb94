// Browser time zone detection and the offer to save it. Loaded on every page, deferred.
