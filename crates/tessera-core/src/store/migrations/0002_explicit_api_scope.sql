-- "Every API" becomes an explicit scope. Until now an empty API list meant "every
-- API"; tokens that had one keep that meaning, written out. External tokens were not
-- issued by this vault and get no scope.

ALTER TABLE tokens ADD COLUMN all_apis INTEGER NOT NULL DEFAULT 0 CHECK (all_apis IN (0, 1));

UPDATE tokens SET all_apis = 1
WHERE kind <> 'external'
  AND NOT EXISTS (SELECT 1 FROM token_apis WHERE token_apis.token_id = tokens.id);
