"""The demo's privacy notice: fictional, but the shape a UK programme's notice takes (UK GDPR, Articles 13 and 14)."""

PRIVACY_NOTICE = """\
CohortNet is run by the Open Data Stewardship Institute (a fictional organisation for this demo), which is
the controller of the personal data described here. Questions go to privacy@example.org.

# What we hold about you

- **Your account**: your name, email address, time zone and password (stored only as a hash).
- **Your organisation's application**: what you wrote, the documents you uploaded and the reviewers' scores.
- **Taking part**: the events you answer, your attendance, the time you log, and what you post in your
  cohorts' threads and chat.
- **Records**: the emails we send you, and a log of who exported or downloaded personal data.

# Why we hold it, and our lawful basis

- To run the programme you applied to: reviewing applications, awarding and paying grants, and organising
  events (the contract with your organisation, and our legitimate interest in running the programme well).
- To meet our obligations as a funder: grant and payment records (legal obligation).
- **Only with your consent**, which you can give or withdraw at any time in your profile:
  - listing you with your email address in your cohorts' member directories;
  - naming you as a contributor in the programme's published output;
  - emailing you your cohorts' mailing list.

# Who sees it

Programme staff and, for applications, the reviewers assigned to them. Members of your cohort see your
name next to what you post, and your email address only if you agree. We use a UK email provider and
UK hosting; we do not sell or share your data for marketing.

# How long we keep it

- Unsuccessful applications are anonymised 12 months after the call's decisions.
- The text of emails we send is deleted 90 days after sending; a record that an email was sent remains.
- Grant and payment records are kept for six years after the grant ends, as the law requires.

# Your rights

You can download everything we hold about you from your profile ("Download my data"). You can ask us to
correct or erase your data, to restrict or object to how we use it; write to privacy@example.org. Erasing
your account removes your name and address; the programme's own records (awards, decisions) stay, linked
to your organisation. If you are unhappy with our answer, you can complain to the Information
Commissioner's Office: [ico.org.uk](https://ico.org.uk/make-a-complaint/).
"""
