# The first 60 names of makemore's names.txt and four more, so that every letter occurs (the corpus scripts read them instead of the file).
WORDS = """emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth mila ella avery
sofia camila aria scarlett victoria madison luna grace chloe penelope layla riley zoey nora lily eleanor hannah
lillian addison aubrey ellie stella natalie zoe leah hazel violet aurora savannah audrey brooklyn bella claire
skylar lucy paisley everly anna caroline nova genesis emilia kennedy quinn jade willow roxanne""".split()
