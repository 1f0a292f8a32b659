-- The telephony configuration of each company (users, departments, call flows, numbers, blocklist, lines) and the
-- live and finished calls. Every row carries company_id (D-28).

-- Per-company settings: lines (CR-47, D-07), time zone (D-29), direct dialing (CR-16), sticky window (D-05) and the
-- billing projection (D-09) fed by billing.account.*. `lines_in_use` / `outbound_in_use` are the line counters; they
-- move only through one conditional UPDATE each, so no replica can overshoot them.
CREATE TABLE callrouter.companies (
    company_id         uuid        PRIMARY KEY,
    lines              int         NOT NULL DEFAULT 10 CHECK (lines BETWEEN 1 AND 1000),
    lines_in_use       int         NOT NULL DEFAULT 0 CHECK (lines_in_use >= 0),
    outbound_in_use    int         NOT NULL DEFAULT 0 CHECK (outbound_in_use >= 0),
    time_zone          text        NOT NULL DEFAULT 'Asia/Kolkata',
    direct_dialing     boolean     NOT NULL DEFAULT false,
    sticky_window_days int         NOT NULL DEFAULT 7 CHECK (sticky_window_days BETWEEN 1 AND 90),
    suspended          boolean     NOT NULL DEFAULT false,
    billing_changed_at timestamptz
);

-- Users and agents (X-08, CR-26 … CR-31, X-10).
-- Keyed by company too (X-12: a person in two companies is two users), so no tenant can claim another's user id.
CREATE TABLE callrouter.users (
    id               uuid        NOT NULL,
    company_id       uuid        NOT NULL,
    name             text        NOT NULL,
    email            text        NOT NULL,
    mobile           text        NOT NULL,
    extension        int         NOT NULL CHECK (extension BETWEEN 10 AND 99),
    role             text        NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'agent', 'billing')),
    availability     text        NOT NULL DEFAULT 'available' CHECK (availability IN ('available', 'away', 'opt_out')),
    time_slots       jsonb       NOT NULL DEFAULT '[]',
    outbound_allowed boolean     NOT NULL DEFAULT true,
    -- D-06 "not already on a call": the call the agent is talking on (or being rung for, after an answer).
    on_call          uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id),
    UNIQUE (company_id, extension)
);
CREATE INDEX users_company ON callrouter.users (company_id, name);

-- Departments (CR-36 … CR-41, CR-81, D-02, D-04, D-05, D-08). `members` is the dialling order.
-- `last_offered` is the balanced-rotation cursor, shared by every replica (D-04).
CREATE TABLE callrouter.departments (
    id           uuid        PRIMARY KEY,
    company_id   uuid        NOT NULL,
    name         text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 16),
    manager_id   uuid,
    members      uuid[]      NOT NULL DEFAULT '{}',
    strategy     text        NOT NULL CHECK (strategy IN ('serial', 'simultaneous', 'balanced')),
    ring_seconds int         NOT NULL DEFAULT 25 CHECK (ring_seconds BETWEEN 10 AND 25),
    sticky       text        NOT NULL DEFAULT 'off' CHECK (sticky IN ('off', 'strict', 'loose')),
    fallback     jsonb       NOT NULL,
    last_offered uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, name)
);

-- Call flows (CR-09, CR-10, D-03): the editable draft and the published graph, each versioned. A published graph is
-- never edited in place, so a live call keeps the version it started with.
CREATE TABLE callrouter.flows (
    id                uuid        PRIMARY KEY,
    company_id        uuid        NOT NULL,
    name              text        NOT NULL,
    status            text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'disabled')),
    draft             jsonb       NOT NULL,
    draft_version     int         NOT NULL DEFAULT 1,
    published_version int,
    published_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flows_company ON callrouter.flows (company_id, created_at);

-- Every published version, kept so a live call can finish on the graph it started with.
CREATE TABLE callrouter.flow_versions (
    flow_id      uuid        NOT NULL REFERENCES callrouter.flows ON DELETE CASCADE,
    version      int         NOT NULL,
    graph        jsonb       NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by uuid,
    PRIMARY KEY (flow_id, version)
);

-- Numbers (CR-08, CR-65, CR-67, CR-68). A number belongs to one company; many numbers may share a flow.
CREATE TABLE callrouter.dids (
    number     text        PRIMARY KEY,
    company_id uuid        NOT NULL,
    type       text        NOT NULL CHECK (type IN ('virtual', 'toll_free', 'mobile')),
    shared     boolean     NOT NULL DEFAULT false,
    flow_id    uuid        REFERENCES callrouter.flows,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dids_company ON callrouter.dids (company_id, number);

-- CR-63, CR-64: one blocklist per company covering all its numbers.
CREATE TABLE callrouter.blocklist (
    company_id uuid        NOT NULL,
    number     text        NOT NULL,
    reason     text        NOT NULL,
    blocked_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, number)
);

-- D-05: the agent who last answered a caller.
CREATE TABLE callrouter.sticky_bindings (
    company_id  uuid        NOT NULL,
    customer    text        NOT NULL,
    agent_id    uuid        NOT NULL,
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (company_id, customer)
);

-- Calls: the state machine's row (any replica serves the next event) and, once ended, the call log (CR-53 … CR-57).
CREATE TABLE callrouter.calls (
    uid             uuid        PRIMARY KEY,
    company_id      uuid        NOT NULL,
    direction       text        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    did             text        NOT NULL,
    did_type        text        NOT NULL,
    customer        text,
    carrier_call_id text,
    flow_id         uuid,
    flow_version    int,
    live            boolean     NOT NULL DEFAULT true,
    lines_held      int         NOT NULL DEFAULT 0,
    state           jsonb       NOT NULL,
    journey         jsonb       NOT NULL DEFAULT '[]',
    outcome         text,
    agent_id        uuid,
    department_id   uuid,
    not_reachable   boolean     NOT NULL DEFAULT false,
    started_at      timestamptz NOT NULL,
    picked_up_at    timestamptz,
    answered_at     timestamptz,
    ended_at        timestamptz,
    billable_seconds int,
    recording_url   text,
    voicemail_url   text,
    disposition     text,
    disposition_comment text,
    -- The switch may resend a request it got no answer to: the last event id and the answer given, replayed as is.
    last_event_id   text,
    last_response   text
);
CREATE UNIQUE INDEX calls_carrier ON callrouter.calls (company_id, carrier_call_id) WHERE carrier_call_id IS NOT NULL;
CREATE INDEX calls_company_started ON callrouter.calls (company_id, started_at DESC, uid);
CREATE INDEX calls_company_agent ON callrouter.calls (company_id, agent_id, started_at DESC);
-- The sweeper's view: only the live calls, however large the log grows.
CREATE INDEX calls_live ON callrouter.calls (started_at) WHERE live;

-- CR-57: notes on a call, time-stamped, with their author.
CREATE TABLE callrouter.call_notes (
    id         bigserial   PRIMARY KEY,
    call_uid   uuid        NOT NULL REFERENCES callrouter.calls,
    company_id uuid        NOT NULL,
    author_id  uuid        NOT NULL,
    text       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_notes_call ON callrouter.call_notes (call_uid, id);

-- CR-52: what is left of calls that never reached the system (`lost-capacity`) and of refused ones.
CREATE TABLE callrouter.system_log (
    id         bigserial   PRIMARY KEY,
    company_id uuid        NOT NULL,
    kind       text        NOT NULL,
    detail     jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX system_log_company ON callrouter.system_log (company_id, id);
