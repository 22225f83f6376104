"""Meetings and monitoring rounds.

meetings         working-group meetings with frozen values
decisions        decisions on deficits and whether their indicator moved
rounds           monitoring rounds: who was asked, who sent what, by when
round_templates  pre-filled templates per organisation, signed
entry            «Моя форма»: a round's form typed online, as a draft, sent as its file
"""
