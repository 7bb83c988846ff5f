-- Member.searchText accent-folded (issue 17): « helene » finds « Hélène », « oeil » « Œil ». The characters
-- replaced are src/rules/search-fold.ts SEARCH_FOLDS (the search typed is folded by foldSearch, from the same
-- table; tests/integration/search-accents.test.ts checks every character on both engines): the letters with
-- diacritics (both cases: SQLite's lower() is ASCII only), the ligatures, the combining marks of decomposed
-- text dropped; lower() for ASCII. Existing rows recomputed, only those that change.
-- translate() maps the one-letter replacements and drops the combining marks (listed last, with no counterpart).

CREATE OR REPLACE FUNCTION coordo_member_search_text("lastName" TEXT, "firstName" TEXT, email TEXT, organization TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT lower(replace(replace(replace(replace(translate(COALESCE("lastName", '') || chr(10) || COALESCE("firstName", '') || chr(10) || COALESCE("email", '') || chr(10) || COALESCE("organization", ''), 'àâäáãåÀÂÄÁÃÅçÇéèêëÉÈÊËîïíìÎÏÍÌñÑôöóòõÔÖÓÒÕùûüúÙÛÜÚÿýŸÝ̧̀́̂̃̈̊', 'aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooouuuuuuuuyyyy'), 'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'));
$$;

UPDATE "Member" SET "searchText" = coordo_member_search_text("lastName", "firstName", "email", "organization")
WHERE "searchText" <> coordo_member_search_text("lastName", "firstName", "email", "organization");
