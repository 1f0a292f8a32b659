-- D-27: a deleted user's token must not keep the role it names until it expires. Their row is gone, so the ids of
-- deleted users are kept here; a token for one of them is refused.
CREATE TABLE callrouter.deleted_users (
    company_id uuid        NOT NULL,
    id         uuid        NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id)
);
