"""Synthetic names by naming tradition, combined at random: every generated person is
synthetic, no list is anyone's record.

Each tradition has a few dozen given names and family names, and builds many more the way
the tradition does (a root and a suffix, two given names, a father's and a mother's family
name, a father's given name as family name, a feminine form), so a region yields thousands
of distinct full names. Names are drawn with falling weights, as real names are: some
family names are common, most are rare. Accents are kept so accent-insensitive search is
exercised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _cumulative(count: int, skew: float) -> list[float]:
    """Weights falling with rank (Zipf): the first names listed are the most common."""
    return list(accumulate(1 / (rank + 1) ** skew for rank in range(count)))


@dataclass(frozen=True)
class Tradition:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...] = ()  # family names used as they are
    roots: tuple[str, ...] = ()  # ... and built: root + suffix
    suffixes: tuple[str, ...] = ()
    patronymic: bool = False  # family name: the father's given name
    two_given: float = 0.0  # share of people with two given names
    two_family: float = 0.0  # share with two family names (father's and mother's)
    joiner: str = " "  # between two given names ("Jean-Baptiste")
    feminine: tuple[tuple[str, str], ...] = ()  # family-name endings women take
    _weights: dict[str, list[float]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def surnames(self) -> tuple[str, ...]:
        built = tuple(root + suffix for suffix in self.suffixes for root in self.roots)
        if self.patronymic:  # fathers' given names first: the family names listed are rarer
            return tuple(dict.fromkeys((*self.male, *self.family, *built)))
        # Plain family names first (the common ones), then built ones.
        return tuple(dict.fromkeys((*self.family, *built)))

    def _draw(self, rng: random.Random, names: tuple[str, ...], key: str, skew: float) -> str:
        weights = self._weights.get(key)
        if weights is None:
            weights = self._weights[key] = _cumulative(len(names), skew)
        return rng.choices(names, cum_weights=weights)[0]

    def given(self, rng: random.Random, sex: str) -> str:
        names, key = (self.female, "F") if sex == "F" else (self.male, "M")
        first = self._draw(rng, names, key, 0.5)
        if self.two_given and rng.random() < self.two_given:
            second = self._draw(rng, names, key, 0.3)
            if second != first:
                return f"{first}{self.joiner}{second}"
        return first

    def family_name(self, rng: random.Random) -> str:
        """A family name as a man carries it (see `for_sex`)."""
        name = self._draw(rng, self.surnames, "family", 0.7)
        if self.two_family and rng.random() < self.two_family:
            mother = self._draw(rng, self.surnames, "family", 0.7)
            if mother != name:
                return f"{name} {mother}"
        return name

    def for_sex(self, family: str, sex: str) -> str:
        if sex != "F":
            return family
        for ending, feminine in self.feminine:
            if family.endswith(ending):
                return family[: -len(ending)] + feminine
        return family


WEST_AFRICA = Tradition(  # Fula, Mandinka, Soninke, Wolof, Bambara names
    female=_words(
        "Fatoumata Aïssatou Mariama Kadiatou Hawa Binta Awa Néné Djénabou Adama Oumou Ramatoulaye "
        "Fanta Mariam Assitan Kadidia Aminata Safiatou Maïmouna Coumba Fatou Rokhaya Ndeye Astou "
        "Khady Dieynaba Salimata Korotoum Bintou Hadja Tenin Djeneba Oumou-Kalsoum Habibatou Sira"
    ),
    male=_words(
        "Mamadou Ibrahima Alpha Ousmane Abdoulaye Moussa Sékou Lamine Cheick Boubacar Amadou Souleymane "
        "Alseny Thierno Saliou Mohamed Oumar Bakary Seydou Modibo Aliou Issa Siaka Drissa Youssouf "
        "Karamoko Mamadi Ansoumane Fodé Lansana Daouda Samba Malick Babacar Cheikh Modou Pape Demba"
    ),
    family=_words(
        "Diallo Bah Barry Camara Sow Keïta Traoré Condé Touré Kouyaté Diakité Sylla Cissé Koné Ndiaye "
        "Fofana Baldé Diarra Coulibaly Sangaré Doumbia Konaté Kanté Sidibé Dembélé Sissoko Konaré "
        "Kaba Soumah Sakho Diop Fall Faye Gueye Sarr Mbaye Seck Ba Sy Kane Wade Thiam Dieng Diouf "
        "Niang Cissokho Tounkara Magassouba Fadiga Dramé Bangoura Sylla Kourouma Doumbouya Tall "
        "Diawara Sacko Samaké Dabo Kamara Jallow Ceesay Sanneh Touray Bojang Jobe Njie Darboe "
        "Marong Gassama Bamba Ouattara Kaboré Ouédraogo Sawadogo Zongo Compaoré Nikièma"
    ),
    two_given=0.25,
)
GULF_OF_GUINEA = Tradition(  # Yoruba, Igbo, Hausa, Akan, Ewe names
    female=_words(
        "Blessing Chioma Ngozi Funmilayo Aisha Adaeze Folake Yetunde Amaka Grace Abena Akosua Ama "
        "Efua Adwoa Esi Comfort Patience Ifeoma Nneka Zainab Hauwa Kemi Bisola Temitope Precious "
        "Gifty Mercy Abla Afi Dzifa Sena Nkechi Uchenna Titilayo"
    ),
    male=_words(
        "Chinedu Emeka Oluwaseun Ibrahim Musa Tunde Adebayo Chukwuemeka Uche Obinna Femi Segun "
        "Kwame Kofi Kwabena Yaw Kwaku Kojo Kwesi Kodjo Komla Sani Abubakar Usman Yusuf Aliyu "
        "Ikechukwu Nnamdi Olumide Babatunde Godwin Samuel Daniel Emmanuel Sunday Friday"
    ),
    family=_words(
        "Okafor Adeyemi Okonkwo Abubakar Mohammed Bello Ibrahim Eze Nwosu Okeke Adebayo Ogunleye "
        "Olawale Balogun Danjuma Mensah Boateng Asante Owusu Osei Agyeman Amoah Appiah Darko "
        "Addo Ansah Tetteh Quaye Agbeko Amegah Kpodo Mensa Afolabi Oyelaran Chukwu Nwachukwu "
        "Obi Onyekachi Udeh Ekwueme Lawal Sule Garba Yakubu Aminu Haruna Akande Ojo"
    ),
    roots=_words("Ade Olu Oye Ola Ayo Ogun Fola Ade Kehin Tola"),
    suffixes=_words("yemi wale bayo lade kunle tunde sola"),
)
CENTRAL_AFRICA = Tradition(
    female=_words(
        "Grâce Divine Merveille Esther Ruth Chantal Béatrice Clarisse Nadège Solange Francine "
        "Aline Josiane Sandrine Brigitte Espérance Jeanne Odette Pascaline Rachel Sylvie Joëlle"
    ),
    male=_words(
        "Jean Pierre Patrick Christian Serge Blaise Olivier Fabrice Hervé Didier Guy Paul Joseph "
        "Emmanuel Junior Cédric Arsène Trésor Dieudonné Jonathan Landry Yannick Franck Rodrigue"
    ),
    family=_words(
        "Mbarga Ilunga Mukendi Tshibanda Kalala Mbuyi Kabongo Lukusa Ngoy Mputu Kasongo Mulumba "
        "Nkongolo Bokamba Mabiala Moukoko Nkoulou Ekane Tchoumi Fotso Kamga Njoya Mbappé Ngono "
        "Atangana Essomba Owona Abena Biyiha Nana Tchatchoua Ngassa Mouelle Ndzana Bekolo"
    ),
    roots=_words("Tshi Ka Mu Ilu Nko Mbu Lu Ngo Ma Bo"),
    suffixes=_words("mbala nga lenga kanda songo bemba lumba"),
    two_given=0.3,
    joiner="-",
)
ETHIOPIA_ERITREA = Tradition(  # a person's second name is the father's given name
    female=_words(
        "Hiwot Selam Meron Tigist Almaz Mahlet Bethlehem Saba Helen Ruth Tsion Eden Hanna Yordanos "
        "Senait Lemlem Rahel Mekdes Frehiwot Genet Aster Azeb Tirhas Luwam Semhar Kidist Birtukan"
    ),
    male=_words(
        "Dawit Yonas Tesfaye Abebe Kebede Girma Haile Mesfin Solomon Biniam Samuel Tekle Gebre "
        "Alemayehu Getachew Tadesse Bereket Yohannes Mulugeta Berhane Kidane Filmon Habtom Mehari "
        "Amanuel Natnael Ermias Henok Yared Fitsum Million Eyob Abel Tewodros Desta Negash"
    ),
    family=_words("Gebremedhin Woldemariam Tesfamariam Haileselassie Gebreyesus Woldegiorgis Tekeste"),
    patronymic=True,
    two_family=0.3,  # and the grandfather's
)
SOMALI = Tradition(
    female=_words(
        "Hodan Amina Sahra Ifrah Fadumo Hibo Asha Faadumo Ayaan Nimco Hamdi Ubah Khadra Deeqa Sagal "
        "Ikran Ladan Hawo Muna Fartun Maryan Shukri"
    ),
    male=_words(
        "Abdi Mohamed Ahmed Hassan Abdirahman Farah Omar Abdullahi Ali Yusuf Abdikarim Mahad Ismail "
        "Liban Guled Bashir Abdiaziz Mukhtar Hamza Osman Jama Warsame Ibrahim Khalif Said Nuur"
    ),
    family=_words("Warsame Jama Nur Hirsi Aden Egal Duale Samatar Gedi Abdulle"),
    patronymic=True,
    two_family=0.3,  # and the grandfather's
)
EAST_AFRICA = Tradition(
    female=_words(
        "Grace Mercy Faith Esther Wanjiru Achieng Akinyi Nakato Mary Joyce Irene Agnes Tendai Chipo "
        "Tatenda Rutendo Nyasha Mwajuma Neema Rehema Zawadi Aisha Sarah Naledi Thandiwe Lindiwe"
    ),
    male=_words(
        "Brian Kevin Dennis Peter John Joseph James Otieno Kamau Mugisha Tendai Tafadzwa Farai "
        "Tinashe Baraka Juma Hamisi Emmanuel Patrick Eric Innocent Moses David Sipho Thabo Lungile"
    ),
    family=_words(
        "Kariuki Gitau Maina Ndungu Wafula Barasa Simiyu Okoth Wekesa "
        "Otieno Ochieng Mwangi Kamau Njoroge Wanjiku Odhiambo Kiprotich Mutua Mugisha Nkurunziza "
        "Niyonzima Habimana Uwimana Mukamana Moyo Ncube Dube Banda Phiri Mbeki Sibanda Mutasa "
        "Chikwanha Nyathi Mensah Okello Mukasa Ssempala Kato Namukasa Mohamed Mwakyusa Massawe"
    ),
    roots=_words("Ki Wa Mu Nya Ka Ha Ni"),
    suffixes=_words("prono mbugua riuki ndegwa lama kimana"),
)
ARABIC_EAST = Tradition(  # Iraq, Syria, the Levant, Yemen, the Gulf, Sudan, Egypt
    female=_words(
        "Zainab Fatima Maryam Noor Huda Rana Samira Layla Amal Rasha Hiba Sara Aya Dalia Rania "
        "Nour Asmaa Heba Shaimaa Yasmin Iman Lina Ruqaya Zahra Duaa Ola Mona Reem Hanan Salma"
    ),
    male=_words(
        "Ahmed Mohammed Ali Hussein Omar Karim Mustafa Yousef Hassan Khalid Abdullah Ibrahim "
        "Mahmoud Haider Abbas Saif Muhannad Ammar Qasim Sami Ziad Bilal Tariq Waleed Osama Fadi "
        "Rami Nabil Majid Adnan Jassim Firas Anas Hamza Yasser Salah Amjad Wissam"
    ),
    family=_words(
        "Al-Jubouri Al-Obaidi Hamdan Kareem Saleh Haddad Mansour Qasim Al-Tamimi Al-Dulaimi "
        "Al-Shammari Al-Rubaie Al-Saadi Al-Azzawi Al-Khafaji Al-Hashimi Khalil Nasser Hassan Younis "
        "Abdallah Awad Darwish Ibrahim Othman Shaheen Zaki Farouk Sabry Hegazy Mahmoud El-Sayed"
    ),
    roots=_words(
        "Al-Ani Al-Bayati Al-Hamdani Al-Jaburi Al-Kubaisi Al-Mashhadani Al-Naqeeb Al-Qaisi "
        "Al-Rawi Al-Samarrai Al-Zubaidi Al-Hakim Al-Khatib Al-Masri Al-Halabi Al-Homsi"
    ),
    suffixes=("",),
    patronymic=True,  # many carry their father's name as the last one
)
MAGHREB = Tradition(
    female=_words(
        "Fatima Khadija Amina Meriem Nadia Samira Salma Houda Imane Soumaya Sanaa Hafsa Nawal "
        "Karima Latifa Naima Rachida Zineb Yasmina Siham Wafa Ines Sarra Asma Chaima"
    ),
    male=_words(
        "Mohamed Ahmed Youssef Karim Mehdi Rachid Hamza Anas Omar Said Abdelkader Mourad Nabil "
        "Samir Yassine Bilal Khalid Mustapha Hicham Adel Sofiane Walid Amine Riad Fouad Hassan"
    ),
    family=_words(
        "Benali Bouzid El Amrani Alaoui Bennani Tazi Berrada El Idrissi Chraibi Lahlou Belkacem "
        "Boudiaf Mansouri Haddad Saidi Hamdi Trabelsi Jebali Gharbi Ayari Mejri Zouari Ferchichi"
    ),
    roots=_words("Ben Bou El Ould Ait"),
    suffixes=(
        " Ahmed",
        " Ali",
        " Saïd",
        " Youssef",
        " Salah",
        " Omar",
        " Moussa",
        " Brahim",
        "abdallah",
        "ziane",
        "chikh",
    ),
    two_given=0.15,
)
PERSIAN_AFGHAN = Tradition(
    female=_words(
        "Zahra Maryam Fatemeh Parisa Shabnam Nazanin Roya Mina Soraya Farzana Mahsa Leila Niloufar "
        "Shirin Marzia Fereshta Mursal Hosna Sakina Nargis Zarghona Hamida Fariba Homa Sima"
    ),
    male=_words(
        "Ahmad Mohammad Reza Hamid Farhad Mahmoud Ali Hossein Mehdi Amir Javad Saeed Abdul Rahim "
        "Karim Najib Wahid Zabihullah Rahmatullah Hamidullah Nasir Jawad Sayed Masoud Shafiq Bashir "
        "Obaid Sohrab Farid Khalil Jamshid Dawood Mirwais Ehsan Nabi"
    ),
    family=_words(
        "Ahmadi Karimi Rahimi Hosseini Mohammadi Rezaei Jafari Sadeghi Hashemi Ahmadzai Popal "
        "Stanikzai Yousafzai Noori Sultani Haidari Rahmani Amiri Azizi Safi Wardak Sarwari Habibi"
    ),
    roots=_words("Ahmad Karim Rahim Nazar Hamid Sharif Jalal Faiz Wali Hakim Aziz Noor Sadiq Rasul"),
    suffixes=("i", "zai", "yar", "khel"),
    two_given=0.2,
)
SOUTH_ASIA = Tradition(  # Pakistan, Bangladesh
    female=_words(
        "Ayesha Fatima Nasreen Shabnam Parveen Farzana Rukhsana Sadia Nusrat Sabina Taslima Rehana "
        "Shazia Sana Hina Amna Mehwish Rubina Shirin Tahmina Nazia Sumaiya Farhana Jannat"
    ),
    male=_words(
        "Imran Bilal Ahmad Rahim Javed Sohail Farid Tariq Mahmud Muhammad Asif Kamran Usman Zahid "
        "Shahid Rashid Naveed Adnan Arif Waqas Rafiq Shafiqul Mizanur Abdur Rakib Sakib Hasan "
        "Nazmul Kamal Jamal Anwar Habib"
    ),
    family=_words(
        "Khan Hussain Rahman Hossain Chowdhury Akhtar Malik Butt Qureshi Ahmed Islam Uddin Miah "
        "Sheikh Mahmood Iqbal Raza Shah Mirza Ali Haque Sarkar Talukder Mondal Bhuiyan Akter"
    ),
    roots=_words("Abdul Mohammad Ghulam Nur Ata Zia Fazal Abdur"),
    suffixes=(" Rahman", " Karim", " Haque", " Hussain", " Rashid", " Islam"),
    two_given=0.3,
)
INDIA_NEPAL_SRI_LANKA = Tradition(
    female=_words(
        "Priya Anjali Pooja Sunita Kavita Lakshmi Deepa Meena Sita Gita Sarita Kumari Nirmala "
        "Tharushi Nadeesha Dilani Shanthi Kamala Radha Sushila Manisha Pratima Rekha Sabitri"
    ),
    male=_words(
        "Rajesh Suresh Ramesh Amit Vijay Sanjay Ravi Arjun Manoj Deepak Ram Hari Krishna Bikash "
        "Prakash Dinesh Gopal Sunil Tharindu Nuwan Kasun Chaminda Pradeep Sivakumar Rajan Mahesh"
    ),
    family=_words(
        "Singh Kumar Sharma Patel Gurung Tamang Thapa Shrestha Rai Magar Perera Fernando Silva "
        "Jayasuriya Sivakumar Rajapaksha Gunawardena Wickramasinghe Bandara Kaur Gill Sandhu "
        "Yadav Das Nair Pillai Reddy Rao Menon Iyer Bhattarai Adhikari Poudel Karki"
    ),
    two_given=0.2,
)
CHINA = Tradition(  # given names of one or two syllables
    female=tuple(
        a + b.lower()
        for a in _words("Xiao Li Mei Hui Jing Yan Xiu Ying Lan Hong")
        for b in _words("Ling Fang Hua Yun Juan Li Qing Ting")
    ),
    male=tuple(
        a + b.lower()
        for a in _words("Wei Jian Zhi Jun Hao Ming Guo Yong Hai Jie")
        for b in _words("Qiang Wei Hua Ping Tao Bo Gang Lin")
    ),
    family=_words(
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng "
        "Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du"
    ),
)
KOREA = Tradition(  # two-syllable given names
    female=tuple(
        a + b.lower()
        for a in _words("Ji Seo Min Su Hye Eun Yu Da Ha Ye")
        for b in _words("Yeon Jin Ah Bin Won Hee Jung Rin")
    ),
    male=tuple(
        a + b.lower()
        for a in _words("Min Jun Seo Ji Hyun Do Sung Young Tae Woo")
        for b in _words("Jun Ho Woo Hyun Seok Min Jae Hoon")
    ),
    family=_words(
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang "
        "Ahn Song Yoo Hong Jeon Ko Moon Baek Nam Noh Ha Kwak Seong Cha Joo Min Ryu"
    ),
)
MONGOLIA = Tradition(  # compounds; the family name is the father's given name
    female=tuple(
        a + b
        for a in _words("Altan Enkh Oyun Tsetseg Saran Naran Uyan Bolor")
        for b in _words("tuya jargal chimeg erdene zaya gerel")
    ),
    male=tuple(
        a + b
        for a in _words("Bat Ganbat Enkh Munkh Sukh Bold Tumur Erdene Gan Byamba")
        for b in _words("erdene baatar bayar bold ochir saikhan")
    ),
    patronymic=True,
)
VIETNAM = Tradition(  # the middle name goes with the given name here
    female=tuple(
        f"{a} {b}"
        for a in _words("Thị Ngọc Thu Kim Thanh")
        for b in _words("Lan Hương Hoa Mai Hằng Thu Ngọc Phương Thảo Linh Trang Huyền Nga Yến Hạnh")
        if a != b
    ),
    male=tuple(
        f"{a} {b}"
        for a in _words("Văn Đức Minh Quốc Hữu")
        for b in _words("Hùng Dũng Nam Tuấn Long Hải Sơn Thắng Cường Phong Quang Bình Khánh Huy Trung Tâm")
        if a != b
    ),
    family=_words(
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương "
        "Lý Đinh Trịnh Đào Mai Cao Lương Tạ Châu Quách Tôn Hà Thái La Kiều"
    ),
)
SOUTHEAST_ASIA = Tradition(  # Indonesia, Malaysia, the Philippines, Thailand, Myanmar, Cambodia
    female=_words(
        "Siti Nur Dewi Sri Putri Ayu Rina Maria Jessa Kristine Mary Joy Somchai Malee Suda Aye "
        "Thandar Sokha Srey Kanya Nurul Aisyah Rosmah Lorna Marites"
    ),
    male=_words(
        "Agus Budi Joko Eko Hendra Rizky Ahmad Muhammad Jose Mark John Juan Reynaldo Somsak Somchai "
        "Niran Aung Kyaw Zaw Sokha Vuthy Dara Hafiz Faizal Arif"
    ),
    family=_words(
        "Santoso Wijaya Saputra Hidayat Setiawan Kurniawan Pratama Nugroho Abdullah Ismail Rahman "
        "Santos Reyes Cruz Bautista Garcia Mendoza Ramos Aquino Dela Cruz Villanueva Srisai "
        "Saetang Wongsawat Chaiyaporn Win Oo Tun Htun Sok Chea Heng Lim"
    ),
    two_given=0.3,
)
CAUCASUS = Tradition(  # Georgian, Armenian and Azerbaijani family-name endings
    female=_words(
        "Nino Tamar Mariam Ana Ketevan Natia Eka Salome Lela Manana Anahit Armine Lilit Gayane "
        "Narine Aygun Leyla Gunel Sevinj Aysel Nigar Tamari Irma Maia"
    ),
    male=_words(
        "Giorgi Levan David Luka Irakli Zurab Nika Davit Mamuka Gocha Tornike Armen Aram Tigran "
        "Gevorg Hayk Arman Elchin Rashad Orkhan Farid Tural Vusal Ramil Shota"
    ),
    family=_words("Beridze Kapanadze Gelashvili Maisuradze Lomidze Mamedov Aliyev Hasanov"),
    roots=_words(
        "Gela Kvara Tsiklau Chkhei Mchedli Japari Kiknadze Baliashvi Abashi Kharati Gogia Tsert "
        "Hovhannis Grigor Petros Sargs Harutyun Avetis Mkrtch Vardan Gasparyan Khachatur"
    ),
    suffixes=("shvili", "dze", "ia", "ava", "yan"),
    feminine=(("ov", "ova"), ("ev", "eva")),
)
BALKANS_SLAVIC = Tradition(
    female=_words(
        "Jelena Milica Ana Marija Ivana Jovana Dragana Snežana Vesna Biljana Gordana Tanja Sanja "
        "Aleksandra Katarina Mirjana Maja Elena Emina Amra Lejla Selma Azra Jasmina"
    ),
    male=_words(
        "Nikola Stefan Marko Milan Dragan Dejan Zoran Goran Aleksandar Nenad Miloš Ivan Dušan "
        "Vladimir Bojan Darko Saša Emir Adnan Haris Amir Jasmin Kenan Edin Mirza"
    ),
    family=_words("Petrović Jovanović Nikolić Marković Đorđević Stojanović Ilić Hodžić Hadžić Begić"),
    roots=_words(
        "Petr Jovan Nikol Mark Stojan Pavl Milosav Dragan Stanković Lazar Mitr Vasil Filip Todor "
        "Kovač Popov Hasan Mehmed Omer Salih Ibrahim Halil Trajk Dimitr Angel"
    ),
    suffixes=("ović", "ević", "ić", "ovski", "ov"),
    feminine=(("ovski", "ovska"), ("ov", "ova")),
)
ALBANIAN = Tradition(  # Albania and Kosovo
    female=_words(
        "Ardita Elira Besa Drita Teuta Blerta Valbona Arta Vjosa Mimoza Albana Fatmire Shqipe "
        "Lirije Arbnora Donika Edona Fjolla Kaltrina Lumnije Majlinda Rina Shpresa Vlora"
    ),
    male=_words(
        "Arben Dritan Besnik Ilir Agron Fatmir Valon Blerim Luan Gentian Arbër Bekim Driton "
        "Enver Faton Fisnik Gëzim Hysen Kushtrim Labinot Mentor Naim Petrit Shkelzen Visar"
    ),
    family=_words(
        "Krasniqi Gashi Berisha Morina Shala Hoxha Bytyqi Kastrati Hasani Rexhepi Shehu Ahmeti "
        "Rama Hoti Lushi Maloku Sylaj Haxhiu Musliu Avdiu Jashari Ismaili Limani Beqiri Gjoka Dema "
        "Kelmendi Hyseni Dervishi Osmani Zeqiri Kryeziu Mustafa Thaçi Bajrami Salihu Halili"
    ),
    roots=_words("Gjon Lek Pren Ded Nik Mark Gjer Zef Pal Kol Gjok Llesh"),
    suffixes=("aj", "i", "ollari", "aku"),
)
EASTERN_SLAVIC = Tradition(  # Russia (Chechnya and Dagestan too), Ukraine, Belarus
    female=_words(
        "Elena Olga Natalia Irina Tatiana Svetlana Anna Maria Yulia Oksana Kateryna Halyna "
        "Viktoria Daria Milana Zarema Kheda Madina Aminat Petimat Larisa Lyudmila Alina"
    ),
    male=_words(
        "Aleksandr Sergei Dmitri Andrei Alexei Ivan Mikhail Nikolai Vladimir Oleksandr Mykola "
        "Bohdan Taras Yuri Pavel Artem Ruslan Magomed Islam Said-Magomed Rustam Aslan Zelimkhan"
    ),
    family=_words("Ivanov Smirnov Kuznetsov Popov Sokolov Kadyrov Magomedov Shevchenko Bondarenko"),
    roots=_words(
        "Petr Volk Sokol Morozov Lebed Kozl Novik Orl Pavl Zaits Medved Yakovl Semen Grigor Fedor "
        "Tkach Kovalch Melnych Kravch Boyk Dud Khasan Umar Dadaev Akhmad Bisult"
    ),
    suffixes=("ov", "in", "enko", "chuk", "ev"),
    feminine=(("ov", "ova"), ("ev", "eva"), ("in", "ina"), ("sky", "skaya")),
)
ROMANIAN = Tradition(  # Moldova, Romania
    female=_words(
        "Maria Elena Ana Ioana Mihaela Cristina Andreea "
        "Natalia Tatiana Olga Victoria Nadejda Alina Lilia Ecaterina"
    ),
    male=_words(
        "Ion Vasile Gheorghe Nicolae Andrei Alexandru Mihai "
        "Sergiu Vladimir Victor Dumitru Constantin Igor Dorin Vitalie"
    ),
    family=_words(
        "Popescu Ionescu Rusu Ceban Lungu Munteanu Ciobanu "
        "Cojocaru Rotaru Botnaru Sandu Moraru Turcanu Melnic"
    ),
    roots=_words("Pop Ion Vasil Dumitr Stan Radu Marin Petr Gheorgh Constantin"),
    suffixes=("escu", "eanu", "aș"),
    two_given=0.15,
    joiner="-",
)
TURKISH = Tradition(
    female=_words(
        "Ayşe Fatma Emine Hatice Zeynep Elif Merve Zehra Esra "
        "Büşra Kübra Sultan Hacer Gülsüm Özlem Derya Songül Sibel"
    ),
    male=_words(
        "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim Emre Murat "
        "Yusuf Ömer Ramazan Halil Osman Burak Serkan Kemal Cem"
    ),
    family=_words(
        "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç "
        "Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Erdoğan Korkmaz"
    ),
    roots=_words("Kara Ak Öz Er Gül Tek Bay Kök Can Ay"),
    suffixes=("oğlu", "türk", "soy", "kaya", "taş"),
    two_given=0.2,
)
CENTRAL_ASIA = Tradition(  # Uzbekistan, Tajikistan, Kyrgyzstan, Kazakhstan, Turkmenistan
    female=_words(
        "Gulnoza Sevara Kamola Lola Dildora Munisa Zulfiya Nilufar Aida Saltanat Gulmira Zhanar "
        "Dilnoza Gulnara Nigora Malika Shahnoza Madina Feruza Zarina "
        "Aziza Gulchehra Mohira Nodira Aigerim Aizada Asel Dinara"
    ),
    male=_words(
        "Otabek Jahongir Shokhrukh Islom Anvar Behruz Sanjar Doston Yerzhan Askar "
        "Bakhtiyor Rustam Sardor Jasur Dilshod Aziz Timur Farrukh "
        "Sherzod Ulugbek Bekzod Akmal Nurlan Yerlan Aibek Daniyar Azamat"
    ),
    roots=_words(
        "Sharip Kurban Azim Olim Hamid Tokhir Bobur Nazir Isma Shokir "
        "Karim Rahim Yusup Nazar Tursun Abdull Ergash Rashid Sobir Usmon Mirzo Khodjaev Alim Bakir "
        "Sultan Nurmagambet Zhaksylyk Omur Toktogul Atabek"
    ),
    suffixes=("ov", "ev", "uly"),
    feminine=(("ov", "ova"), ("ev", "eva"), ("uly", "kyzy")),
)
SPANISH_AMERICA = Tradition(  # two given names often, and the father's and the mother's surname
    female=_words(
        "María Ana Carmen Rosa Gabriela Daniela Fernanda Valeria Lucía Sofía Andrea Paola Karla "
        "Mónica Verónica Patricia Claudia Jessica Yesenia Marisol Guadalupe Alejandra Diana"
    ),
    male=_words(
        "José Juan Carlos Luis Jorge Miguel Pedro Diego Andrés Fernando Ricardo Javier Eduardo "
        "Santiago Mateo Alejandro Víctor Óscar Hugo Marvin Wilmer Edwin Kevin Byron Nelson"
    ),
    family=_words(
        "García Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres Flores "
        "Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Chávez Ramos Vargas Castillo "
        "Jiménez Mendoza Ruiz Álvarez Romero Herrera Medina Aguilar Vásquez Castro Guzmán "
        "Quispe Mamani Condori Choque Huamán Zambrano Cedeño Villalobos Orellana Maldonado"
    ),
    two_given=0.45,
    two_family=0.85,
)
BRAZIL = Tradition(  # and Portuguese-speaking Africa
    female=_words(
        "Ana Maria Juliana Fernanda Camila Luíza Beatriz Larissa Gabriela Patrícia Aline Vanessa "
        "Jéssica Letícia Amanda Bruna Adriana Francisca Antônia Rosângela Conceição"
    ),
    male=_words(
        "João Pedro Lucas Rafael Thiago Gabriel Mateus Felipe Bruno Rodrigo Marcos Paulo Carlos "
        "José Antônio Francisco Luiz Fábio Anderson Wellington Domingos Manuel Joaquim"
    ),
    family=_words(
        "Silva Santos Oliveira Souza Pereira Conceição Lima Ferreira Costa Rodrigues Almeida "
        "Nascimento Alves Araújo Carvalho Gomes Martins Rocha Ribeiro Barbosa Cardoso Teixeira "
        "Moreira Cavalcanti Dias Monteiro Mendes Barros Freitas Pinto Correia Batista Nunes"
    ),
    two_given=0.35,
    two_family=0.6,
)
CARIBBEAN = Tradition(  # Haiti, Jamaica, Trinidad and Tobago, the Dominican Republic, Cuba
    female=_words(
        "Marie Rose Nadège Fabienne Guerline Mirlande Shanice Keisha Tamika Yolanda Stéphanie Sherry"
    ),
    male=_words("Jean Pierre Joseph Louis Wilner Fritz Jacques Ricardo Dwayne Andre Marlon Kemar Ronel"),
    family=_words(
        "Jean-Baptiste Pierre Joseph Louis Charles Saint-Fleur Dorvil Augustin Étienne Brown "
        "Campbell Williams Thompson Clarke Francis Baptiste Mohammed Ramdial Persad Seepersad"
    ),
    two_given=0.4,
    joiner="-",
)

BY_COUNTRY: dict[str, Tradition] = {
    **dict.fromkeys("GN ML SN GM GW MR BF NE CI SL LR TD".split(), WEST_AFRICA),
    **dict.fromkeys("NG GH TG BJ".split(), GULF_OF_GUINEA),
    **dict.fromkeys("CM CD CG GA CF BI RW".split(), CENTRAL_AFRICA),
    **dict.fromkeys("ET ER".split(), ETHIOPIA_ERITREA),
    **dict.fromkeys("SO DJ".split(), SOMALI),
    **dict.fromkeys("KE UG TZ ZW ZM MW ZA SS".split(), EAST_AFRICA),
    **dict.fromkeys("IQ SY LB JO PS YE SA KW SD EG".split(), ARABIC_EAST),
    **dict.fromkeys("MA DZ TN LY".split(), MAGHREB),
    **dict.fromkeys("AF IR TJ".split(), PERSIAN_AFGHAN),
    **dict.fromkeys("PK BD".split(), SOUTH_ASIA),
    **dict.fromkeys("IN NP LK".split(), INDIA_NEPAL_SRI_LANKA),
    **dict.fromkeys("CN TW HK".split(), CHINA),
    "KR": KOREA,
    "MN": MONGOLIA,
    "VN": VIETNAM,
    **dict.fromkeys("ID MY PH TH MM KH LA".split(), SOUTHEAST_ASIA),
    **dict.fromkeys("GE AM AZ".split(), CAUCASUS),
    **dict.fromkeys("RS BA MK ME HR BG".split(), BALKANS_SLAVIC),
    **dict.fromkeys("AL XK".split(), ALBANIAN),
    **dict.fromkeys("RU UA BY".split(), EASTERN_SLAVIC),
    **dict.fromkeys("MD RO".split(), ROMANIAN),
    "TR": TURKISH,
    **dict.fromkeys("UZ KG KZ TM".split(), CENTRAL_ASIA),
    **dict.fromkeys("EC BO NI HN GT SV MX CO PE VE PY AR CL UY CR PA".split(), SPANISH_AMERICA),
    **dict.fromkeys("BR AO CV MZ".split(), BRAZIL),
    **dict.fromkeys("HT JM TT DO CU".split(), CARIBBEAN),
}


def pool(country: str) -> Tradition:
    """The naming tradition of a country of origin (West African for a country not listed)."""
    return BY_COUNTRY.get(country, WEST_AFRICA)


def person_name(
    rng: random.Random, country: str, sex: str, family: str | None = None
) -> tuple[str, str, str]:
    """(given name, family name as this person carries it, the family name as passed on)
    of a synthetic person; `family`: the household's, as passed on."""
    tradition = pool(country)
    given = tradition.given(rng, sex)
    if family is None:
        family = tradition.family_name(rng)
        while family == given:  # nobody is named after themself
            family = tradition.family_name(rng)
    return given, tradition.for_sex(family, sex), family
