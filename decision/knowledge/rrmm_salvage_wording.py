"""The wording of the rrmm-salvage model, in one place for clinical review.

Every reason code of decision.knowledge.rrmm_salvage renders through WORDING; placeholders are
the reason's params, filled from the case. CITATIONS are the sources the output cites.
"""

from __future__ import annotations

# All the text of this model. Placeholders are the reason's params; lists read "a, b and c".
WORDING: dict[str, str] = {
    # Why the chosen regimen fits.
    "PRIOR_PI_AND_LENALIDOMIDE": (
        "The disease has been exposed to a proteasome inhibitor ({pi_agents}) and to "
        "lenalidomide, so the next step is a pomalidomide-based regimen: pomalidomide is the "
        "most potent IMiD and stays active in lenalidomide-refractory disease."
    ),
    "TRIPLET_LENALIDOMIDE_REFRACTORY": (
        "The disease is lenalidomide-refractory after {lines} prior lines including a "
        "proteasome inhibitor and an IMiD, the setting in which the NCCN guideline lists "
        "pomalidomide triplets."
    ),
    "EARLY_RELAPSE": (
        "Relapse at {months} months is early (under 12 months), which signals aggressive "
        "disease: carfilzomib-dexamethasone gives faster and deeper responses."
    ),
    "SWITCH_TO_LENALIDOMIDE": (
        "Switch class: the disease has met a proteasome inhibitor ({pi_agents}) but never "
        "lenalidomide, and lenalidomide-dexamethasone gives 60-70% partial responses or better "
        "in this setting."
    ),
    "THALIDOMIDE_IS_NOT_LENALIDOMIDE": (
        "Prior thalidomide does not make the disease lenalidomide-refractory; lenalidomide is "
        "active after thalidomide."
    ),
    "LENALIDOMIDE_FULL_DOSE": (
        "A creatinine clearance of {creatinine_clearance} mL/min allows the full lenalidomide "
        "starting dose."
    ),
    "LENALIDOMIDE_RENAL_DOSE": (
        "A creatinine clearance of {creatinine_clearance} mL/min is {band} renal impairment: "
        "lenalidomide is renally cleared, so its starting dose is reduced."
    ),
    "SWITCH_TO_PROTEASOME_INHIBITOR": (
        "Switch class: the disease has met an IMiD ({imid_agents}) but never a proteasome "
        "inhibitor, which gives rapid responses here."
    ),
    "BORTEZOMIB_NO_RENAL_ADJUSTMENT": (
        "Bortezomib needs no dose adjustment for renal function (creatinine clearance "
        "{creatinine_clearance} mL/min)."
    ),
    "NEUROPATHY_ALLOWS_BORTEZOMIB": (
        "Neuropathy grade {neuropathy_grade} does not rule bortezomib out."
    ),
    "CARFILZOMIB_SPARES_NERVES": (
        "Grade {neuropathy_grade} neuropathy makes bortezomib a poor choice; carfilzomib causes "
        "little neuropathy."
    ),
    # Why not: refractoriness to a drug of the regimen.
    "REFRACTORY_PROGRESSED_ON_THERAPY": (
        "Avoid: the disease progressed on {agent} (prior line {line}), so it is "
        "{agent}-refractory and a regimen built on it is unlikely to work."
    ),
    "REFRACTORY_NO_RESPONSE": (
        "Avoid: the disease did not respond to {agent} (prior line {line}, best response "
        "{best_response}), so it is {agent}-refractory."
    ),
    "REFRACTORY_WITHIN_WINDOW": (
        "Avoid: the disease progressed {days} days after the last dose of {agent} (prior line "
        "{line}), within 60 days, so it is {agent}-refractory whatever the dose was."
    ),
    # Why not: pomalidomide too early.
    "POMALIDOMIDE_LENALIDOMIDE_NAIVE": (
        "Pomalidomide is kept for lenalidomide-refractory disease; after {prior_agents}, with "
        "no lenalidomide yet, it is premature and more myelotoxic (cytopenias, infections)."
    ),
    "POMALIDOMIDE_PI_NAIVE": (
        "Pomalidomide follows exposure to both a proteasome inhibitor and lenalidomide; prior "
        "therapy ({prior_agents}) included no proteasome inhibitor, so that class comes first."
    ),
    "TRIPLET_TOO_FEW_LINES": (
        "Pomalidomide triplets are for disease after at least 2 prior lines; this patient has "
        "had {lines} (with {prior_agents})."
    ),
    "TRIPLET_NOT_LENALIDOMIDE_REFRACTORY": (
        "Pomalidomide triplets are for lenalidomide-refractory disease; after lenalidomide "
        "there was a response and no progression on it or within 60 days."
    ),
    "TRIPLET_ALSO_SUPPORTED": (
        "Also appropriate: lenalidomide-refractory disease after {lines} prior lines including "
        "a proteasome inhibitor and an IMiD is where the NCCN guideline lists this triplet."
    ),
    # Why not: the other classes.
    "LENALIDOMIDE_ALREADY_RECEIVED": (
        "Lenalidomide was already given (prior line {line}); the next IMiD step after it is "
        "pomalidomide."
    ),
    "PRIOR_BOTH_FAVOURS_POMALIDOMIDE": (
        "After a proteasome inhibitor ({pi_agents}) and lenalidomide, a pomalidomide-based "
        "regimen is preferred."
    ),
    "EARLY_RELAPSE_FAVOURS_CARFILZOMIB": (
        "Relapse at {months} months is early (under 12 months), which favours "
        "carfilzomib-dexamethasone."
    ),
    "EARLY_RELAPSE_BUT_PRIOR_BOTH": (
        "Relapse at {months} months is early and carfilzomib suits aggressive disease, but "
        "after a proteasome inhibitor and lenalidomide a pomalidomide-based regimen comes first."
    ),
    "SWITCH_CLASS_TO_PROTEASOME_INHIBITOR": (
        "After an IMiD ({imid_agents}) and no proteasome inhibitor, switching class to a "
        "proteasome inhibitor is preferred."
    ),
    "SWITCH_CLASS_TO_LENALIDOMIDE": (
        "After a proteasome inhibitor ({pi_agents}), switching class to lenalidomide is "
        "preferred to another proteasome inhibitor."
    ),
    "BORTEZOMIB_ALREADY_RECEIVED": (
        "Bortezomib was already given (prior line {line}); re-treatment can work, but switching "
        "class is preferred."
    ),
    "PI_ALREADY_RECEIVED": (
        "A proteasome inhibitor ({pi_agents}) was already given; switching class is preferred."
    ),
    "CUMULATIVE_NEUROPATHY": (
        "Re-using bortezomib adds to cumulative neuropathy after {neurotoxic_agents} "
        "(neuropathy now grade {neuropathy_grade})."
    ),
    "BORTEZOMIB_NEUROPATHY": (
        "Avoid: grade {neuropathy_grade} neuropathy makes bortezomib, a neurotoxic drug, a "
        "poor choice."
    ),
    "CARFILZOMIB_FOR_EARLY_RELAPSE": (
        "Carfilzomib-dexamethasone is favoured for relapse under 12 months; this relapse came "
        "at {months} months."
    ),
    "CARFILZOMIB_ALTERNATIVE": (
        "Also a proteasome inhibitor for this PI-naive disease, but with relapse at {months} "
        "months (not under 12) bortezomib is the usual first choice and carfilzomib costs more."
    ),
    "CARFILZOMIB_COST": (
        "Carfilzomib costs more, needs frequent infusions and carries cardiovascular toxicity."
    ),
    "NO_TABLE_ROW": (
        "The teaching table has no row for prior {prior_agents} with relapse at {months} "
        "months, so this regimen is neither recommended nor ruled out here."
    ),
    # Why there is no answer.
    "NULL_NO_RULE": (
        "No rule of the salvage table applies: prior therapy ({prior_agents}) included neither "
        "a proteasome inhibitor nor an IMiD, and relapse at {months} months is not early."
    ),
    "NULL_NOT_OFFERED": (
        "The regimen this case calls for ({regimens}) is not among the options given."
    ),
    "NULL_REFRACTORY": (
        "The regimen this case calls for ({regimens}) contains a drug the disease is "
        "refractory to, and the salvage table offers no alternative."
    ),
    # Teaching text for the whole case.
    "KEY_POINT_PRIOR_BOTH": (
        "After both a proteasome inhibitor and lenalidomide, use a pomalidomide-based regimen."
    ),
    "KEY_POINT_EARLY_RELAPSE": (
        "Relapse within 12 months signals aggressive disease: carfilzomib-dexamethasone gives "
        "faster, deeper responses."
    ),
    "KEY_POINT_SWITCH_TO_LENALIDOMIDE": (
        "At relapse after a proteasome inhibitor, in lenalidomide-naive disease, "
        "lenalidomide-dexamethasone is preferred (with the dose set by renal function)."
    ),
    "KEY_POINT_SWITCH_TO_PI": (
        "At relapse after an IMiD, in proteasome inhibitor-naive disease, give bortezomib-"
        "dexamethasone, or carfilzomib-dexamethasone when neuropathy rules bortezomib out."
    ),
    "KEY_POINT_NO_RULE": (
        "Salvage therapy depends on prior exposure and refractoriness, time to relapse, renal "
        "function, neuropathy and fitness."
    ),
    "PEARL": (
        "Switch class when possible: after a proteasome inhibitor give an IMiD, after an IMiD "
        "give a proteasome inhibitor, after both give pomalidomide."
    ),
    "MECHANISM_IMID": (
        "{drug} is an IMiD: it binds cereblon (CRBN), the substrate receptor of the CRL4 "
        "ubiquitin ligase, which then degrades IKZF1 (Ikaros) and IKZF3 (Aiolos), killing "
        "myeloma cells and boosting T-cell and NK-cell activity (IL-2); it is also "
        "anti-angiogenic and synergistic with dexamethasone."
    ),
    "MECHANISM_PI": (
        "{drug} is a proteasome inhibitor: blocking the 26S proteasome lets misfolded "
        "immunoglobulin accumulate in the myeloma cell, and the unfolded-protein stress "
        "triggers apoptosis."
    ),
}

CITATIONS = (
    "MM-009: Weber DM, Chen C, Niesvizky R, et al. Lenalidomide plus dexamethasone for "
    "relapsed multiple myeloma in North America. N Engl J Med. 2007;357:2133-42.",
    "MM-010: Dimopoulos M, Spencer A, Attal M, et al. Lenalidomide plus dexamethasone for "
    "relapsed or refractory multiple myeloma. N Engl J Med. 2007;357:2123-32.",
    # The teaching source calls ASPIRE a bortezomib trial; it compared carfilzomib-lenalidomide-
    # dexamethasone with lenalidomide-dexamethasone.
    "ASPIRE: Stewart AK, Rajkumar SV, Dimopoulos MA, et al. Carfilzomib, lenalidomide, and "
    "dexamethasone for relapsed multiple myeloma. N Engl J Med. 2015;372:142-52.",
    "ENDEAVOR: Dimopoulos MA, Moreau P, Palumbo A, et al. Carfilzomib and dexamethasone versus "
    "bortezomib and dexamethasone for patients with relapsed or refractory multiple myeloma "
    "(ENDEAVOR). Lancet Oncol. 2016;17:27-38.",
    # Seed 004 gives "Ch 191", which does not match the 21st edition's numbering as far as it
    # could be checked; the chapter is named instead of numbered.
    "Harrison's Principles of Internal Medicine, 21st edition: Plasma cell disorders.",
    "NCCN Clinical Practice Guidelines in Oncology (NCCN Guidelines): Multiple Myeloma. "
    "National Comprehensive Cancer Network.",
)
