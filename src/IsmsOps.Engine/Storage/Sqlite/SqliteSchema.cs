namespace IsmsOps.Engine.Storage.Sqlite;

/// <summary>
/// Versioned migrations of the embedded store. The version lives in <c>PRAGMA user_version</c>; the file is marked as
/// ours with <c>PRAGMA application_id</c>, so a foreign SQLite file is never migrated into.
/// Append new migrations; never edit one that has shipped.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>"ISMS" in ASCII.</summary>
    public const int ApplicationId = 0x49534D53;

    public static readonly string[] Migrations =
    [
        // 1: people register, audit trail, checkpoints.
        """
        CREATE TABLE person (
            person_id           TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            display_name        TEXT NOT NULL,
            user_principal_name TEXT,
            mail                TEXT,
            department          TEXT,
            job_role            TEXT,
            manager_id          TEXT,
            employment_type     TEXT NOT NULL,
            status              TEXT NOT NULL,
            start_date          TEXT,
            end_date            TEXT,
            location            TEXT,
            directory_object_id TEXT,
            version             INTEGER NOT NULL,
            created_at          TEXT NOT NULL,
            updated_at          TEXT NOT NULL
        );
        CREATE INDEX person_status ON person(status);
        CREATE TABLE audit_event (
            seq            INTEGER NOT NULL PRIMARY KEY,
            time           TEXT NOT NULL,
            actor          TEXT NOT NULL,
            identity       TEXT,
            action         TEXT NOT NULL,
            target         TEXT NOT NULL,
            correlation_id TEXT NOT NULL,
            details        TEXT NOT NULL,
            prev_hash      TEXT NOT NULL,
            hash           TEXT NOT NULL
        );
        CREATE INDEX audit_event_target ON audit_event(target);
        CREATE INDEX audit_event_correlation ON audit_event(correlation_id);
        CREATE TABLE audit_checkpoint (
            id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            seq        INTEGER NOT NULL,
            head_hash  TEXT NOT NULL,
            time       TEXT NOT NULL,
            key_id     TEXT NOT NULL,
            public_key TEXT NOT NULL,
            signature  TEXT NOT NULL
        );
        """,

        // 2: offboarding cases and their steps. Times are UTC ISO 8601 with a fixed width, so they compare as text.
        """
        CREATE TABLE offboarding_case (
            case_id             TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            person_id           TEXT COLLATE NOCASE,
            user_id             TEXT NOT NULL COLLATE NOCASE,
            user_principal_name TEXT NOT NULL,
            status              TEXT NOT NULL,
            urgency             TEXT NOT NULL,
            effective_date      TEXT NOT NULL,
            created_at          TEXT NOT NULL,
            due_at              TEXT NOT NULL,
            updated_at          TEXT NOT NULL,
            closed_at           TEXT,
            version             INTEGER NOT NULL
        );
        CREATE INDEX offboarding_case_person ON offboarding_case(person_id);
        CREATE INDEX offboarding_case_user ON offboarding_case(user_id);
        CREATE INDEX offboarding_case_status_due ON offboarding_case(status, due_at);
        CREATE TABLE offboarding_step (
            case_id               TEXT NOT NULL COLLATE NOCASE REFERENCES offboarding_case(case_id),
            sequence              INTEGER NOT NULL,
            kind                  TEXT NOT NULL,
            user_id               TEXT NOT NULL,
            resource_id           TEXT,
            resource_display_name TEXT,
            assignment_id         TEXT,
            detail                TEXT,
            status                TEXT NOT NULL,
            reason                TEXT,
            attempts              INTEGER NOT NULL,
            graph_request_id      TEXT,
            before_state          TEXT,
            after_state           TEXT,
            started_at            TEXT,
            completed_at          TEXT,
            PRIMARY KEY (case_id, sequence)
        ) WITHOUT ROWID;
        """,

        // 3: personal data protected per person. A data key is stored only wrapped under the master key (kept outside
        // the database); values are ciphertexts under it. Deleting a person's data_key row crypto-shreds their values.
        """
        CREATE TABLE personal_data_key (
            person_id     TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            key_id        TEXT NOT NULL,
            master_key_id TEXT NOT NULL,
            wrapped_key   BLOB NOT NULL,
            created_at    TEXT NOT NULL
        );
        CREATE INDEX personal_data_key_master ON personal_data_key(master_key_id);
        CREATE TABLE personal_data_value (
            person_id  TEXT NOT NULL COLLATE NOCASE,
            name       TEXT NOT NULL,
            key_id     TEXT NOT NULL,
            ciphertext BLOB NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (person_id, name)
        ) WITHOUT ROWID;
        ALTER TABLE person ADD COLUMN personal_data_removed_at TEXT;
        """,

        // 4: acknowledgements (terms, NDA, policies accepted; security training completed). One row per acceptance or
        // completion, never overwritten by a newer version, so the history answers "which version, and when".
        // Days are yyyy-MM-dd, so they compare as text.
        """
        CREATE TABLE acknowledgement (
            acknowledgement_id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            person_id          TEXT NOT NULL COLLATE NOCASE REFERENCES person(person_id),
            kind               TEXT NOT NULL,
            name               TEXT NOT NULL COLLATE NOCASE,
            document_version   TEXT NOT NULL COLLATE NOCASE,
            acknowledged_on    TEXT NOT NULL,
            expires_on         TEXT,
            evidence           TEXT,
            recorded_by        TEXT NOT NULL,
            recorded_at        TEXT NOT NULL,
            version            INTEGER NOT NULL
        );
        CREATE INDEX acknowledgement_person ON acknowledgement(person_id, kind, name);
        CREATE INDEX acknowledgement_document ON acknowledgement(kind, name, document_version);
        """,

        // 5: background screenings. Check results are one JSON object per row; notes and adverse findings are never
        // here but in personal_data_value, under the person's data key, named Screening/<id>/Notes and .../AdverseFindings.
        """
        CREATE TABLE screening (
            screening_id           TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            person_id              TEXT NOT NULL COLLATE NOCASE,
            level                  TEXT NOT NULL,
            status                 TEXT NOT NULL,
            country                TEXT,
            provider               TEXT,
            provider_reference     TEXT,
            checks                 TEXT NOT NULL,
            requested_on           TEXT,
            completed_on           TEXT,
            rescreen_due_on        TEXT,
            waiver_requested_by    TEXT,
            waiver_reason          TEXT,
            waiver_approved_by     TEXT,
            waiver_approved_at     TEXT,
            waiver_approval_reason TEXT,
            waiver_expires_on      TEXT,
            version                INTEGER NOT NULL,
            created_at             TEXT NOT NULL,
            updated_at             TEXT NOT NULL
        );
        CREATE INDEX screening_person ON screening(person_id);
        CREATE INDEX screening_status_due ON screening(status, rescreen_due_on);
        """,

        // 6: onboarding cases. One case per person; its steps are a JSON array (the trail holds each step's evidence).
        """
        CREATE TABLE onboarding_case (
            case_id             TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            person_id           TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role_id             TEXT NOT NULL,
            user_id             TEXT,
            user_principal_name TEXT,
            status              TEXT NOT NULL,
            screening_id        TEXT,
            blocked_because     TEXT,
            steps               TEXT NOT NULL,
            version             INTEGER NOT NULL,
            created_at          TEXT NOT NULL,
            updated_at          TEXT NOT NULL
        );
        CREATE INDEX onboarding_case_status ON onboarding_case(status);
        """,

        // 7: HR events processed, one row per idempotency key. Only a digest of the body is kept: the register holds the
        // person's data, and the digest is enough to tell a re-delivery from a reused key.
        """
        CREATE TABLE hr_event (
            idempotency_key TEXT NOT NULL PRIMARY KEY,
            kind            TEXT NOT NULL,
            person_id       TEXT NOT NULL COLLATE NOCASE,
            body_sha256     TEXT NOT NULL,
            processed_at    TEXT NOT NULL,
            processed_by    TEXT NOT NULL
        );
        CREATE INDEX hr_event_person ON hr_event(person_id, kind);
        """,

        // 8: movers' cases. The case is one JSON document (its grant and removal steps are read and written with it);
        // the columns beside it are what queries filter on: the person, the status, and when the old access is due.
        """
        CREATE TABLE mover_case (
            case_id          TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            person_id        TEXT NOT NULL COLLATE NOCASE,
            status           TEXT NOT NULL,
            remove_old_after TEXT NOT NULL,
            body             TEXT NOT NULL,
            version          INTEGER NOT NULL,
            created_at       TEXT NOT NULL
        );
        CREATE INDEX mover_case_person ON mover_case(person_id, status);
        CREATE INDEX mover_case_status_due ON mover_case(status, remove_old_after);
        """,

        // 9: access review campaigns. The campaign is one JSON document; its items (there can be millions) are rows of
        // their own, written once in bulk and then only their decision columns change. Reviewers are listed once per
        // campaign, and which reviewer has which item is a narrow table keyed for "this reviewer's items".
        """
        CREATE TABLE access_review_campaign (
            campaign_id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            name        TEXT NOT NULL,
            status      TEXT NOT NULL,
            due_date    TEXT NOT NULL,
            body        TEXT NOT NULL,
            version     INTEGER NOT NULL,
            created_at  TEXT NOT NULL
        );
        CREATE TABLE access_review_reviewer (
            campaign_id         TEXT NOT NULL COLLATE NOCASE,
            reviewer_id         TEXT NOT NULL COLLATE NOCASE,
            user_principal_name TEXT NOT NULL,
            display_name        TEXT,
            mail                TEXT,
            is_fallback         INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, reviewer_id)
        ) WITHOUT ROWID;
        CREATE TABLE access_review_item (
            campaign_id            TEXT NOT NULL COLLATE NOCASE,
            item_id                INTEGER NOT NULL,
            principal_id           TEXT NOT NULL,
            principal_name         TEXT NOT NULL,
            principal_display_name TEXT,
            is_guest               INTEGER NOT NULL,
            person_id              TEXT,
            resource_id            TEXT NOT NULL,
            resource_name          TEXT NOT NULL,
            resource_kind          TEXT NOT NULL,
            access_kind            TEXT NOT NULL,
            assignment             TEXT NOT NULL,
            inherited_from_id      TEXT,
            inherited_from_name    TEXT,
            since                  TEXT,
            last_sign_in           TEXT,
            recommendation         TEXT NOT NULL,
            reasons                TEXT NOT NULL,
            recommendation_note    TEXT,
            reviewer_ids           TEXT NOT NULL,
            by_fallback            INTEGER NOT NULL,
            privileged             INTEGER NOT NULL,
            removal_step_kind      TEXT NOT NULL,
            assignment_id          TEXT,
            removal_detail         TEXT,
            removal                TEXT NOT NULL,
            removal_note           TEXT,
            decision               TEXT NOT NULL,
            justification          TEXT,
            decided_by             TEXT,
            decided_at             TEXT,
            version                INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, item_id)
        );
        CREATE TABLE access_review_assignment (
            campaign_id TEXT NOT NULL COLLATE NOCASE,
            reviewer_id TEXT NOT NULL COLLATE NOCASE,
            item_id     INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, reviewer_id, item_id)
        ) WITHOUT ROWID;
        """,

        // 10: what completing a campaign did to each denied item. One row per item, replaced when a re-run settles an
        // item that had Failed; a row that is settled (anything but Failed) is never sent to Graph again.
        """
        CREATE TABLE access_review_result (
            campaign_id TEXT NOT NULL COLLATE NOCASE,
            item_id     INTEGER NOT NULL,
            outcome     TEXT NOT NULL,
            reason      TEXT,
            request_id  TEXT,
            applied_at  TEXT NOT NULL,
            PRIMARY KEY (campaign_id, item_id)
        ) WITHOUT ROWID;
        """,

        // 11: recurring campaigns. A successor names the campaign it recurs from; the unique index is what makes a
        // repeated or concurrent scheduled run create one successor, never two.
        """
        ALTER TABLE access_review_campaign ADD COLUMN predecessor_id TEXT COLLATE NOCASE;
        CREATE UNIQUE INDEX access_review_campaign_predecessor ON access_review_campaign(predecessor_id) WHERE predecessor_id IS NOT NULL;
        """,

        // 12: the compact layout of access review items, for campaigns of millions. A campaign gets a small number; each
        // principal and resource (party), each distinct combination of an item's codes (shape), each distinct note and
        // each reviewer list (text) is stored once per campaign, and an item row holds numbers that refer to them, its
        // own few fields, and its decision (NULL until decided). The reviewer lists are mapped back to reviewers for "this reviewer's items".
        // Campaigns created before this migration stay in access_review_item and access_review_assignment and are read
        // from there; new campaigns are written only here.
        """
        CREATE TABLE access_review_campaign_no (
            campaign_no INTEGER PRIMARY KEY,
            campaign_id TEXT NOT NULL UNIQUE COLLATE NOCASE
        );
        CREATE TABLE access_review_party (
            campaign_no  INTEGER NOT NULL,
            party_no     INTEGER NOT NULL,
            object_id    TEXT NOT NULL,
            name         TEXT,
            display_name TEXT,
            is_guest     INTEGER NOT NULL,
            person_id    TEXT,
            last_sign_in TEXT,
            PRIMARY KEY (campaign_no, party_no)
        ) WITHOUT ROWID;
        CREATE TABLE access_review_shape (
            campaign_no       INTEGER NOT NULL,
            shape_no          INTEGER NOT NULL,
            resource_kind     TEXT NOT NULL,
            access_kind       TEXT NOT NULL,
            assignment        TEXT NOT NULL,
            recommendation    TEXT NOT NULL,
            reasons           TEXT NOT NULL,
            by_fallback       INTEGER NOT NULL,
            privileged        INTEGER NOT NULL,
            removal_step_kind TEXT NOT NULL,
            removal           TEXT NOT NULL,
            PRIMARY KEY (campaign_no, shape_no)
        ) WITHOUT ROWID;
        CREATE TABLE access_review_text (
            campaign_no INTEGER NOT NULL,
            text_no     INTEGER NOT NULL,
            value       TEXT NOT NULL,
            PRIMARY KEY (campaign_no, text_no)
        ) WITHOUT ROWID;
        CREATE TABLE access_review_reviewer_set (
            campaign_no INTEGER NOT NULL,
            reviewer_id TEXT NOT NULL COLLATE NOCASE,
            set_no      INTEGER NOT NULL,
            PRIMARY KEY (campaign_no, reviewer_id, set_no)
        ) WITHOUT ROWID;
        CREATE TABLE access_review_entry (
            entry_key       INTEGER PRIMARY KEY, -- campaign_no * 2^32 + item_id
            principal_no    INTEGER NOT NULL,
            resource_no     INTEGER NOT NULL,
            inherited_no    INTEGER,
            shape_no        INTEGER NOT NULL,
            reviewers_no    INTEGER NOT NULL,
            note_no         INTEGER,
            detail_no       INTEGER,
            removal_note_no INTEGER,
            since           TEXT,
            assignment_id   TEXT,
            decision        TEXT,
            justification   TEXT,
            decided_by      TEXT,
            decided_at      TEXT,
            version         INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE access_review_list_item (
            campaign_no  INTEGER NOT NULL,
            reviewers_no INTEGER NOT NULL,
            item_id      INTEGER NOT NULL,
            PRIMARY KEY (campaign_no, reviewers_no, item_id)
        ) WITHOUT ROWID;
        """,
    ];

    public static int LatestVersion => Migrations.Length;
}
