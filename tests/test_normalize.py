from pubsync.names import surname_key
from pubsync.normalize import fold, repair, title_key, venue_key


def test_repairs_utf8_read_as_latin1_even_lowercased_and_tokenized():
    assert repair("d barbarã ¡ - millã ¡") == "d barbará - millá"
    assert repair("BarbarÃ¡") == "Barbará"


def test_repairs_cyrillic_mojibake_of_latin1_names_but_keeps_real_cyrillic():
    assert repair("j wфsch") == "j wäsch"
    assert repair("m жzsu") == "m Özsu"              # Latin-1 read as ISO-8859-5: 'Ö' became 'Ж', lower-cased 'ж'
    assert fold(repair("ingo schmitt , can tќrker")) == "ingo schmitt can turker"
    assert repair("Достоевский") == "Достоевский"


def test_html_entities_also_tokenized_ones():
    assert repair("lud &#228; scher") == "ludäscher"
    assert repair("very large & hellip ; ,") == "very large … ,"
    assert repair("AT&amp;T") == "AT&T"


def test_latex_to_unicode():
    assert repair(r"Lo{\"i}c and \'{E}cole") == "Loïc and École"


def test_fold_strips_accents_case_and_punctuation():
    assert fold("Wäsch, J.-P.") == "wasch j p"
    assert fold("Straße") == "strasse"


def test_title_key_marks_scholar_truncation():
    assert title_key("Artificial intelligence regulation: a framework …") == ("artificial intelligence regulation a framework", True)
    assert title_key("Deep learning...") == ("deep learning", True)
    assert title_key("Mining association rules . . .") == ("mining association rules", True)
    assert title_key("… of the VLDB broadening strategy") == ("of the vldb broadening strategy", True)
    assert title_key("The Demarcation Protocol") == ("the demarcation protocol", False)


def test_surnames_from_every_name_shape():
    assert surname_key("PGR De Almeida") == "almeida"
    assert surname_key("Carberry, Josiah") == "carberry"
    assert surname_key("Carlos Denner dos Santos Jr") == "santos"
    assert surname_key("j wфsch") == "wasch"
    assert surname_key("", family="van der Berg") == "berg"
    assert surname_key("et al.") == surname_key("others") == ""             # a cut list's tail is nobody


def test_venue_key_drops_boilerplate_and_numbers():
    assert venue_key("Proceedings of the 27th International Conference on Very Large Data Bases") == "very large data bases"
    assert venue_key("VLDB 2001") == "vldb"


def test_title_parts_reads_part_and_volume_numbers():
    from pubsync.normalize import title_parts
    assert title_parts("database tuning principles part ii") == {"2"}
    assert title_parts("the vldb broadening strategy part 2") == {"2"}
    assert title_parts("handbook vol 03") == {"3"}
    assert title_parts("clinical results pt 2") == {"2"}
    assert title_parts("part of speech tagging") == frozenset()
    assert title_parts("the x tree an index structure") == frozenset()
    assert title_parts("bivector fields ii") == {"2"} and title_parts("gtpases in biology ii") == {"2"}
    assert title_parts("what i") == frozenset() and title_parts("ii") == frozenset()


def test_a_sequel_numbered_at_the_end_names_the_title_it_continues():
    from pubsync.normalize import sequel_of
    assert sequel_of("bivector fields ii") == "bivector fields"
    assert sequel_of("a generalization of the relativistic theory of gravitation ii") == \
        "a generalization of the relativistic theory of gravitation"
    assert sequel_of("the future of web services i") == ""       # 'i' is a word too
    assert sequel_of("bivector fields") == sequel_of("ii") == ""


def test_a_journal_series_numbers_its_papers_after_the_common_title():
    from pubsync.normalize import series_part
    assert series_part("Phospholipase C from turkey erythrocytes. II. P2Y-purinergic receptor") == {"2"}
    assert series_part("Phospholipase C from turkey erythrocytes. I. Purification and properties.") == {"1"}
    assert series_part("Studies on the enzyme from turkey erythrocytes. V. Kinetics of binding") == {"5"}
    assert series_part("On a Possibility of Artificial Reason: J. McCarthy, I. Kant, and A. Turing") == frozenset()
    assert series_part("Sidelights on Relativity,... I. Ether and Relativity. II. Geometry and Experience") == \
        frozenset()                                                   # a book's contents, not its number
    assert series_part("What I. learned") == frozenset()


def test_notice_titles_are_corrections_and_retraction_notices_only():
    from pubsync.normalize import notice_kind

    def notice_title(title):
        return notice_kind(title) == "correction"
    assert notice_title("Erratum: A Database Model for Object Dynamics")
    assert notice_title("Erratum-A database model for object dynamics")
    assert notice_title("Correction to: Cracked Pots and Their Makers") and notice_title("Corrigendum")
    assert notice_title("\\ addendum to \\ '' \\ `` automatic generation of production rules")
    assert notice_title("Retraction note to: Teapots")
    assert notice_title("Author Correction: Radiotherapy as a tool to elicit clinically actionable signalling")
    assert notice_title("Publisher Correction: Suppression of insulin feedback enhances the efficacy of PI3K inhibitors")
    assert notice_title("Correction for Taniguchi et al., Phosphoinositide 3-kinase regulatory subunit p85α suppresses")
    assert notice_title("Editorial Note to: Glucose Addiction of TSC Null Cells Is Caused by Failed mTORC1")
    assert not notice_title("Correction for attenuation in PET imaging")
    assert not notice_title("Correction of motion artifacts in MRI")
    assert not notice_title("RETRACTED: Teapots")                 # the retracted work itself
    assert not notice_title("Additive models of citation behaviour")


def test_comments_and_replies_are_told_from_papers_by_their_opening_words():
    from pubsync.normalize import notice_kind
    for title in ('Response to Comment on "Protein Sequences from Mastodon and Tyrannosaurus rex Revealed by Mass'
                  ' Spectrometry"', 'Comment on "Teapots"', "Comments on \u201cA comparison of two synchronizing "
                  "concepts by P.B. Hansen\u201d", "Reply to: Cracked pots", "Authors' reply to the discussion",
                  "\\ response to \\ '' \\ `` a close look at the ifo data model", "Discussion of 'Teapots'"):
        assert notice_kind(title) == "discussion", title
    for title in ("Comments-oriented blog summarization by sentence extraction", "Response Time Bounds for Typed DAG",
                  "Replying to email in 2020", "Commentary", "Correction to: Cracked Pots", ""):
        assert notice_kind(title) != "discussion", title
    assert notice_kind("Correction to: Cracked Pots") == "correction"
    assert notice_kind("Berichtigung zur Abhandlung:„Über die elektromagnetischen Grundgleichungen”") == "correction"
    assert notice_kind("Nachtrag zu meiner Arbeit:„Thermodynamische Begründung …”") == "correction"
    for title in ("Notiz zu unserer Arbeit", "Bemerkung zu der Arbeit von A. Friedmann", "Antwort auf eine Bemerkung "
                  "von W. Anderson", "Bemerkungen zu P. Harzers Abhandlung"):
        assert notice_kind(title) == "discussion", title
    assert notice_kind("Bemerkungen über periodische Schwankungen der Mondlänge") == ""       # remarks on a topic


def test_short_version_titles_name_the_paper_they_present():
    from pubsync.normalize import short_version_title
    assert short_version_title("Linking Fine-Grained Locations in User Comments (Extended Abstract).") == \
        "Linking Fine-Grained Locations in User Comments"
    assert short_version_title("Demo Abstract: Predictable SoC Architecture Based on COTS Multi-Core") == \
        "Predictable SoC Architecture Based on COTS Multi-Core"
    assert short_version_title("Walkway discovery from large scale crowdsensing: demo abstract") == \
        "Walkway discovery from large scale crowdsensing"
    assert short_version_title("A Kinect-based Interactive Game: (Demonstration).") == "A Kinect-based Interactive Game"
    assert short_version_title("Abstract LB-418: Targeting the PI3K/mTOR pathway") == "Targeting the PI3K/mTOR pathway"
    assert short_version_title("Abstract P3-03-01: Double PIK3CA mutations in cis") == "Double PIK3CA mutations in cis"
    assert short_version_title("Abstract algebra: groups and rings") == ""
    assert short_version_title("Formalizing and verifying … Monterey Phoenix (SoSyM abstract)") == \
        "Formalizing and verifying … Monterey Phoenix"
    for title in ("A Demonstration of PERC: Probabilistic Entity Resolution With Crowd Errors",
                  "Demosaicing with improved edge direction detection", "Session details: Poster.",
                  "Maximum a Posterior and Perceptually Motivated Reconstruction", "Towards the abstract"):
        assert short_version_title(title) == ""


def test_title_parts_name_volumes_and_days():
    from pubsync.normalize import title_key, title_parts

    def parts(title):
        return title_parts(title_key(title)[0])
    assert parts("Albert Einstein] to Hermann Weyl: Letter, 31 May 1918") == {"1918-05-31"}
    assert parts("Letter to the editor, May 3, 1920") == {"1920-05-03"}
    assert parts("The Collected Papers of Albert Einstein, Vol. 8: The Berlin Years") == {"8"}
    assert parts("Albert Einstein] to Walter Dällenbach: Letter, after 15 Jun …") == frozenset()     # cut short
    assert parts("Attention is all you need") == frozenset()
