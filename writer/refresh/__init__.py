"""`ghplan refresh`: last year's plan → this year's, keeping what is the organisation's own.

    changes.py   Change / PersonItem and the edit algebra: apply, compose rounds, map offsets
    rules.py     refresh's own certain rewrites (signature date, 20xx, Party line, year claims)
    campaigns.py an ended campaign written as running → 巩固拓展…成果, in the shapes where it is certain
    survival.py  the organisation's own facts (numbers, names, 《》, 第N届…) and their survival
    plan.py      the mechanical plan: review for Y → certain edits, rounds until stable
    model_step.py  paragraphs that need more than a mechanical change → a model, reviewed
    pipeline.py  refresh(): read, plan, model step, final review, result, writing
"""
