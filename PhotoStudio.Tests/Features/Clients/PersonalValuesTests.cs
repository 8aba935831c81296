using PhotoStudio.Features.Clients;

namespace PhotoStudio.Tests.Features.Clients;

/// <summary>What an erasure takes out of audit values that are not about the client, and what it leaves.</summary>
public class PersonalValuesTests
{
    private static readonly PersonalValues Anna = PersonalValues.Of(["Anna Berg"], ["anna.berg@bergfamily.example", "anna@gmail.com"],
        ["+49 170 555 0101"], domain => domain == "bergfamily.example");

    [Fact]
    public void Names_addresses_their_parts_and_phones_go_wherever_they_stand_whole_and_in_any_case()
    {
        Assert.Equal("[erased] wrote from [erased] and [erased]; call [erased] or [erased]",
            Anna.Scrub("ANNA BERG wrote from anna.berg@bergfamily.example and anna@gmail.com; call +49 170 555 0101 or 491705550101"));
        Assert.Equal("mail [erased] at [erased]", Anna.Scrub("mail anna.berg at bergfamily.example"));
    }

    [Fact]
    public void Longer_words_and_numbers_public_domains_and_other_people_stay()
    {
        Assert.Equal("Anna Bergmann, x491705550101x, 4917055501012, bob@gmail.com, anna",
            Anna.Scrub("Anna Bergmann, x491705550101x, 4917055501012, bob@gmail.com, anna"));
    }

    [Fact]
    public void An_entry_about_the_client_loses_every_personal_field_and_keeps_the_others()
    {
        var rewritten = Anna.Rewrite("""{"Name": [null, "Someone"], "Tags": [["a"], null], "Status": ["Pending", "Confirmed"], "Reason": [null, ""]}""", about: true);
        Assert.Equal("""{"Name":[null,"[erased]"],"Tags":["[erased]",null],"Status":["Pending","Confirmed"],"Reason":[null,""]}""", rewritten);
        Assert.Null(Anna.Rewrite("""{"Status": ["Pending", "Confirmed"]}""", about: false));
        Assert.Equal("""{"Reason":[null,"for [erased]"]}""", Anna.Rewrite("""{"Reason": [null, "for Anna Berg"]}""", about: false));
    }

    [Fact]
    public void The_search_patterns_match_jsonb_text_with_its_escapes()
    {
        var quoted = new PersonalValues(["Jo \"JJ\" O'Neil"]);
        Assert.Equal(["%Jo \\\\\"JJ\\\\\" O'Neil%"], quoted.LikePatterns());
    }
}
