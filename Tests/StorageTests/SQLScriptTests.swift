import Storage
import Testing

@Suite("SQLScript")
struct SQLScriptTests {
    @Test("cuts at top-level semicolons and drops comment-only pieces")
    func splits() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE s.a (x int);
            /* block; comment */ CREATE INDEX a_x ON s.a (x);

            INSERT INTO s.a VALUES (1)
            """
        #expect(SQLScript.statements(script) == [
            "-- a comment; with a semicolon\nCREATE TABLE s.a (x int)",
            "/* block; comment */ CREATE INDEX a_x ON s.a (x)",
            "INSERT INTO s.a VALUES (1)",
        ])
    }

    @Test("keeps semicolons inside quotes, quoted identifiers and dollar-quoted bodies")
    func quoting() {
        let script = """
            INSERT INTO s.t VALUES ('a;b', 'it''s; fine');
            CREATE TABLE s."odd;name" (x int);
            CREATE FUNCTION s.f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('c', '');
                RETURN NULL;
            END;
            $$;
            CREATE FUNCTION s.g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
            SELECT $1
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 5)
        #expect(statements[0] == "INSERT INTO s.t VALUES ('a;b', 'it''s; fine')")
        #expect(statements[1] == #"CREATE TABLE s."odd;name" (x int)"#)
        #expect(statements[2].hasSuffix("END;\n$$"))
        #expect(statements[3] == "CREATE FUNCTION s.g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$")
        #expect(statements[4] == "SELECT $1")
    }
}
