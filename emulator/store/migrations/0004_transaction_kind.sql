-- What a transaction is (salary, rent, saving, card_payment; '' unknown),
-- for providers that categorise transactions: Kontomatik renders it as a
-- money transaction's kind and labels. Accounts name their co-owners too
-- (Kontomatik's owners of kind CO_OWNER), one full name per line, '' for
-- none. Both are world data, written when a world is generated.

ALTER TABLE transactions ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN co_owners TEXT NOT NULL DEFAULT '';
