WITH orgs AS (
    SELECT o.org_id, o.region_id, o.municipality_id, o.district_id
    FROM org_places o
    WHERE TRUE
),
per AS (
    SELECT p.period FROM periods p WHERE TRUE
),
person_bases AS (
    SELECT org_id, period FROM mentors INTERSECT SELECT org_id, period FROM mentees
),
listed AS (
    SELECT org_id FROM registry WHERE org_id IN (SELECT org_id FROM orgs)
),
keys AS (
    SELECT org_id, period FROM org_values
    WHERE org_id IN (SELECT org_id FROM orgs) AND period IN (SELECT period FROM per)
    UNION
    SELECT l.org_id, per.period FROM listed l CROSS JOIN per
    UNION
    SELECT org_id, period FROM person_bases
    WHERE org_id IN (SELECT org_id FROM orgs) AND period IN (SELECT period FROM per)
),
base AS (
    SELECT k.period, g.org_id, g.region_id, g.municipality_id, g.district_id,
        l.org_id IS NOT NULL AS in_registry, v.org_id IS NOT NULL AS reported,
        pb.org_id IS NOT NULL AS has_person_bases,
        v.* EXCLUDE (org_id, period)
    FROM keys k
    JOIN orgs g ON g.org_id = k.org_id
    LEFT JOIN org_values v ON v.org_id = k.org_id AND v.period = k.period
    LEFT JOIN listed l ON l.org_id = k.org_id
    LEFT JOIN person_bases pb ON pb.org_id = k.org_id AND pb.period = k.period
),
per_org AS (
    SELECT period, region_id, municipality_id, district_id, org_id,
        CASE WHEN in_registry THEN CAST(reported AS INTEGER) END AS n_reporting, CASE WHEN in_registry THEN 1 END AS d_reporting,
        n_regulation AS n_regulation, d_regulation AS d_regulation,
        n_roadmap AS n_roadmap, d_roadmap AS d_roadmap,
        n_curator AS n_curator, d_curator AS d_curator,
        n_program AS n_program, d_program AS d_program,
        n_program_site AS n_program_site, d_program_site AS d_program_site,
        CASE WHEN has_person_bases THEN 1 ELSE n_databases END AS n_databases, CASE WHEN has_person_bases THEN 1 ELSE d_databases END AS d_databases,
        n_incentives AS n_incentives, d_incentives AS d_incentives,
        n_teachers_involved AS n_teachers_involved, d_teachers_involved AS d_teachers_involved,
        n_young_mentored AS n_young_mentored, d_young_mentored AS d_young_mentored,
        n_mentors_trained AS n_mentors_trained, d_mentors_trained AS d_mentors_trained,
        n_mentor_load AS n_mentor_load, d_mentor_load AS d_mentor_load,
        n_completion AS n_completion, d_completion AS d_completion,
        n_students_mentored AS n_students_mentored, d_students_mentored AS d_students_mentored,
        n_satisfaction AS n_satisfaction, d_satisfaction AS d_satisfaction
    FROM base
),
grouped AS (
    SELECT period, region_id, municipality_id, district_id, CAST(NULL AS BIGINT) AS org_id,
        CASE WHEN GROUPING(district_id) = 0 THEN 3 WHEN GROUPING(municipality_id) = 0 THEN 2 WHEN GROUPING(region_id) = 0 THEN 1 ELSE 0 END AS lvl,
    CAST(sum(n_reporting) AS DOUBLE) AS n_reporting, CAST(sum(d_reporting) AS DOUBLE) AS d_reporting, count(d_reporting) AS c_reporting,
    CAST(sum(n_regulation) AS DOUBLE) AS n_regulation, CAST(sum(d_regulation) AS DOUBLE) AS d_regulation, count(d_regulation) AS c_regulation,
    CAST(sum(n_roadmap) AS DOUBLE) AS n_roadmap, CAST(sum(d_roadmap) AS DOUBLE) AS d_roadmap, count(d_roadmap) AS c_roadmap,
    CAST(sum(n_curator) AS DOUBLE) AS n_curator, CAST(sum(d_curator) AS DOUBLE) AS d_curator, count(d_curator) AS c_curator,
    CAST(sum(n_program) AS DOUBLE) AS n_program, CAST(sum(d_program) AS DOUBLE) AS d_program, count(d_program) AS c_program,
    CAST(sum(n_program_site) AS DOUBLE) AS n_program_site, CAST(sum(d_program_site) AS DOUBLE) AS d_program_site, count(d_program_site) AS c_program_site,
    CAST(sum(n_databases) AS DOUBLE) AS n_databases, CAST(sum(d_databases) AS DOUBLE) AS d_databases, count(d_databases) AS c_databases,
    CAST(sum(n_incentives) AS DOUBLE) AS n_incentives, CAST(sum(d_incentives) AS DOUBLE) AS d_incentives, count(d_incentives) AS c_incentives,
    CAST(sum(n_teachers_involved) AS DOUBLE) AS n_teachers_involved, CAST(sum(d_teachers_involved) AS DOUBLE) AS d_teachers_involved, count(d_teachers_involved) AS c_teachers_involved,
    CAST(sum(n_young_mentored) AS DOUBLE) AS n_young_mentored, CAST(sum(d_young_mentored) AS DOUBLE) AS d_young_mentored, count(d_young_mentored) AS c_young_mentored,
    CAST(sum(n_mentors_trained) AS DOUBLE) AS n_mentors_trained, CAST(sum(d_mentors_trained) AS DOUBLE) AS d_mentors_trained, count(d_mentors_trained) AS c_mentors_trained,
    CAST(sum(n_mentor_load) AS DOUBLE) AS n_mentor_load, CAST(sum(d_mentor_load) AS DOUBLE) AS d_mentor_load, count(d_mentor_load) AS c_mentor_load,
    CAST(sum(n_completion) AS DOUBLE) AS n_completion, CAST(sum(d_completion) AS DOUBLE) AS d_completion, count(d_completion) AS c_completion,
    CAST(sum(n_students_mentored) AS DOUBLE) AS n_students_mentored, CAST(sum(d_students_mentored) AS DOUBLE) AS d_students_mentored, count(d_students_mentored) AS c_students_mentored,
    CAST(sum(CAST(n_satisfaction AS DECIMAL(18, 6))) AS DOUBLE) AS n_satisfaction, CAST(sum(d_satisfaction) AS DOUBLE) AS d_satisfaction, count(d_satisfaction) AS c_satisfaction
    FROM per_org
    GROUP BY GROUPING SETS ((period), (period, region_id), (period, region_id, municipality_id), (period, region_id, municipality_id, district_id))
    UNION ALL BY NAME
    SELECT period, region_id, municipality_id, district_id, org_id,
        4 AS lvl,
    CAST(n_reporting AS DOUBLE) AS n_reporting, CAST(d_reporting AS DOUBLE) AS d_reporting, CAST(d_reporting IS NOT NULL AS BIGINT) AS c_reporting,
    CAST(n_regulation AS DOUBLE) AS n_regulation, CAST(d_regulation AS DOUBLE) AS d_regulation, CAST(d_regulation IS NOT NULL AS BIGINT) AS c_regulation,
    CAST(n_roadmap AS DOUBLE) AS n_roadmap, CAST(d_roadmap AS DOUBLE) AS d_roadmap, CAST(d_roadmap IS NOT NULL AS BIGINT) AS c_roadmap,
    CAST(n_curator AS DOUBLE) AS n_curator, CAST(d_curator AS DOUBLE) AS d_curator, CAST(d_curator IS NOT NULL AS BIGINT) AS c_curator,
    CAST(n_program AS DOUBLE) AS n_program, CAST(d_program AS DOUBLE) AS d_program, CAST(d_program IS NOT NULL AS BIGINT) AS c_program,
    CAST(n_program_site AS DOUBLE) AS n_program_site, CAST(d_program_site AS DOUBLE) AS d_program_site, CAST(d_program_site IS NOT NULL AS BIGINT) AS c_program_site,
    CAST(n_databases AS DOUBLE) AS n_databases, CAST(d_databases AS DOUBLE) AS d_databases, CAST(d_databases IS NOT NULL AS BIGINT) AS c_databases,
    CAST(n_incentives AS DOUBLE) AS n_incentives, CAST(d_incentives AS DOUBLE) AS d_incentives, CAST(d_incentives IS NOT NULL AS BIGINT) AS c_incentives,
    CAST(n_teachers_involved AS DOUBLE) AS n_teachers_involved, CAST(d_teachers_involved AS DOUBLE) AS d_teachers_involved, CAST(d_teachers_involved IS NOT NULL AS BIGINT) AS c_teachers_involved,
    CAST(n_young_mentored AS DOUBLE) AS n_young_mentored, CAST(d_young_mentored AS DOUBLE) AS d_young_mentored, CAST(d_young_mentored IS NOT NULL AS BIGINT) AS c_young_mentored,
    CAST(n_mentors_trained AS DOUBLE) AS n_mentors_trained, CAST(d_mentors_trained AS DOUBLE) AS d_mentors_trained, CAST(d_mentors_trained IS NOT NULL AS BIGINT) AS c_mentors_trained,
    CAST(n_mentor_load AS DOUBLE) AS n_mentor_load, CAST(d_mentor_load AS DOUBLE) AS d_mentor_load, CAST(d_mentor_load IS NOT NULL AS BIGINT) AS c_mentor_load,
    CAST(n_completion AS DOUBLE) AS n_completion, CAST(d_completion AS DOUBLE) AS d_completion, CAST(d_completion IS NOT NULL AS BIGINT) AS c_completion,
    CAST(n_students_mentored AS DOUBLE) AS n_students_mentored, CAST(d_students_mentored AS DOUBLE) AS d_students_mentored, CAST(d_students_mentored IS NOT NULL AS BIGINT) AS c_students_mentored,
    CAST(n_satisfaction AS DOUBLE) AS n_satisfaction, CAST(d_satisfaction AS DOUBLE) AS d_satisfaction, CAST(d_satisfaction IS NOT NULL AS BIGINT) AS c_satisfaction
    FROM per_org
),
periods_known AS (
    SELECT period, start_year FROM periods
)
SELECT g.*, p.start_year
FROM grouped g
JOIN periods_known p ON p.period = g.period
WHERE NOT (g.lvl = 3 AND g.district_id IS NULL)
-- parameters: []
