using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PhotoStudio.Data;

namespace PhotoStudio.Migrations;

/// <summary>
/// The last accepted TOTP step only ever moves forward. Identity saves whole user rows read before a code was
/// accepted (counting a failure, resetting the count, switching 2FA on); such a save would put an older step
/// back and let the same code in again. The trigger keeps the higher step instead of refusing the save, so an
/// ordinary save never fails because of it.
/// </summary>
[DbContext(typeof(StudioDb))]
[Migration("20261202001000_TotpStepNeverDecreases")]
public class TotpStepNeverDecreases : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE FUNCTION users_keep_last_totp_time_step() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- GREATEST skips NULL: clearing the step keeps it as well.
                NEW.last_totp_time_step := GREATEST(OLD.last_totp_time_step, NEW.last_totp_time_step);
                RETURN NEW;
            END $$;

            CREATE TRIGGER users_last_totp_time_step_never_decreases
                BEFORE UPDATE OF last_totp_time_step ON users
                FOR EACH ROW EXECUTE FUNCTION users_keep_last_totp_time_step();
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TRIGGER users_last_totp_time_step_never_decreases ON users;
            DROP FUNCTION users_keep_last_totp_time_step();
            """);
    }
}
