/**
 * Small word lists for realistic sample names. Several entries carry the characters that break
 * naive URL and OData handling on purpose: apostrophes (`O'Brien`), ampersands, commas.
 */

export const companyOwners = [
  'Harbor',
  'Northwind',
  'Bluebird',
  'Cedar',
  'Maple',
  'Summit',
  'Riverside',
  'Granite',
  'Lakeside',
  'Sunrise',
  'Evergreen',
  'Copper',
  'Silverline',
  'Oak Street',
  'Pioneer',
  'Redwood',
  'Meadow',
  'Highland',
  'Coastal',
  'Prairie',
  'Willow',
  'Beacon',
  'Juniper',
  'Aspen',
] as const;

/** Owners whose names need escaping in OData literals and URLs. */
export const quotedOwners = ["O'Brien", "D'Angelo", "O'Neill", "McKenna's", "Dell'Arte"] as const;

export const companyTrades = [
  'Bakery',
  'Bikes',
  'Dental',
  'Landscaping',
  'Consulting',
  'Plumbing',
  'Florist',
  'Brewing',
  'Print Shop',
  'Veterinary',
  'Coffee Roasters',
  'Auto Repair',
  'Architects',
  'Catering',
  'Outfitters',
  'Fitness',
  'Books',
  'Pottery',
  'Electrical',
  'Yoga Studio',
] as const;

export const companySuffixes = ['Inc.', 'LLC', 'Ltd.', '& Co.', 'Co.'] as const;

export const tenantNames = [
  'Contoso Holdings',
  'Fabrikam Group',
  'Tailspin Partners',
  'Wide World Ventures',
  'Adventure Works Family',
  'Litware Collective',
  'Proseware Brothers',
  'Lucerne Trust',
] as const;

export const customerNames = [
  'Adatum Corporation',
  'Trey Research',
  'School of Fine Art',
  'Alpine Ski House',
  'Relecloud',
  'Coho Winery',
  'Fabrikam, Inc.',
  'Litware, Inc.',
  'Wide World Importers',
  'Northwind Traders',
  'Tailspin Toys',
  'Wingtip Toys',
  'Proseware, Inc.',
  'Lamna Healthcare',
  "Margie's Travel",
  'Consolidated Messenger',
  'Blue Yonder Airlines',
  'Contoso Pharmaceuticals',
  'Graphic Design Institute',
  'Humongous Insurance',
  'Lucerne Publishing',
  "Munson's Pickles and Preserves",
  'Southridge Video',
  'VanArsdel, Ltd.',
  'Woodgrove Bank',
  'Fourth Coffee',
  'Best For You Organics',
  'City Power & Light',
] as const;

export const vendorNames = [
  'Fabrikam Supplies',
  'First Up Consultants',
  'Graphic Design Institute',
  'Wide World Logistics',
  'Nod Publishers',
  'The Phone Company',
  'Litware Office Supply',
  'Contoso Energy',
  'A. Datum Leasing',
  'Northwind Paper',
  'Tailspin Freight',
  "Bellows' College Catering",
  'Proseware Software',
  'Woodgrove Insurance',
  'City Power & Light',
  'Lucerne Cleaning',
] as const;

export const firstNames = [
  'Helen',
  'Evan',
  'Robert',
  'Sara',
  'Jesper',
  'Amelia',
  'Noah',
  'Priya',
  'Lukas',
  'Chloé',
  'Mateo',
  'Hannah',
  'Oliver',
  'Freja',
  'Aiko',
  'Samuel',
] as const;

export const lastNames = [
  'Ray',
  'McIntosh',
  'Townes',
  'Jensen',
  'Okafor',
  'Schmidt',
  'Dubois',
  'Nguyen',
  'García',
  'Patel',
  "O'Connor",
  'Larsen',
  'Kowalski',
  'Rossi',
] as const;

export const streets = [
  'Station Road',
  'Thomas Drive',
  'Day Drive',
  'Main Street',
  'Harbour Lane',
  'Elm Avenue',
  'Market Square',
  'Mill Road',
  'Church Street',
  'Park Avenue',
] as const;

export interface PlaceSeed {
  readonly city: string;
  readonly state: string;
  readonly postCode: string;
}

/** Places by country code, matching each company's local currency. */
export const placesByCountry: Readonly<Record<string, readonly PlaceSeed[]>> = {
  US: [
    { city: 'Chicago', state: 'IL', postCode: '61236' },
    { city: 'Atlanta', state: 'GA', postCode: '31772' },
    { city: 'Seattle', state: 'WA', postCode: '98101' },
    { city: 'Denver', state: 'CO', postCode: '80202' },
    { city: 'Austin', state: 'TX', postCode: '78701' },
  ],
  DE: [
    { city: 'Berlin', state: '', postCode: '10115' },
    { city: 'München', state: '', postCode: '80331' },
    { city: 'Hamburg', state: '', postCode: '20095' },
  ],
  GB: [
    { city: 'London', state: '', postCode: 'EC1A 1BB' },
    { city: 'Cambridge', state: '', postCode: 'CB1 2AD' },
    { city: 'Leeds', state: '', postCode: 'LS1 4AP' },
  ],
  DK: [
    { city: 'København', state: '', postCode: '1050' },
    { city: 'Aarhus', state: '', postCode: '8000' },
    { city: 'Odense', state: '', postCode: '5000' },
  ],
};

export const taskTitles = [
  'Reconcile bank account',
  'Post payroll journal',
  'Review sales tax return',
  'Approve vendor invoices',
  'Send payment reminders',
  'Close the month',
  'Review aged receivables',
  'Update fixed asset register',
  'Prepare budget variance report',
  'Check unapplied payments',
  'Review expense reports',
  'Confirm year-end inventory count',
] as const;

export const userNames = ['ADMIN', 'SARAH.JONES', 'MIKE.LARSEN', 'BOOKKEEPER', 'J.OKAFOR'] as const;

export const salespeople = ['PS', 'JO', 'HR', 'BC', 'LT'] as const;

export const industries = ['Retail', 'Services', 'Manufacturing', 'Hospitality', 'Health'] as const;
